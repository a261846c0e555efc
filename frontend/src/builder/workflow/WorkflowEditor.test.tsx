// The editor against a stubbed REST API (fetch): palette from GET node-types/, adding a
// step by keyboard, saving with If-Match, refused saves and conflicts.
import { act, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { setLanguage } from '../i18n'
import '../messages'
import type { WorkflowDoc } from '../types'
import WorkflowEditor from './WorkflowEditor'

beforeAll(() => {
  // What React Flow needs from a browser that jsdom lacks (see React Flow's testing notes).
  class ResizeObserverStub {
    callback: ResizeObserverCallback
    constructor(callback: ResizeObserverCallback) {
      this.callback = callback
    }
    observe(target: Element) {
      this.callback([{ target, contentRect: { width: 180, height: 60 } } as unknown as ResizeObserverEntry], this)
    }
    unobserve() {}
    disconnect() {}
  }
  globalThis.ResizeObserver = ResizeObserverStub
  class DOMMatrixStub {
    m22: number
    constructor(transform?: string) {
      const scale = transform?.match(/scale\(([1-9.])\)/)?.[1]
      this.m22 = scale !== undefined ? +scale : 1
    }
  }
  ;(globalThis as unknown as { DOMMatrixReadOnly: unknown }).DOMMatrixReadOnly = DOMMatrixStub
  Object.defineProperties(HTMLElement.prototype, {
    offsetHeight: { get: () => 600, configurable: true },
    offsetWidth: { get: () => 800, configurable: true }
  })
  ;(SVGElement.prototype as unknown as { getBBox: () => DOMRect }).getBBox = () =>
    ({ x: 0, y: 0, width: 10, height: 10 }) as DOMRect
})

const starter = (): WorkflowDoc => ({
  schema_version: 1,
  key: 'flow',
  entity: 'report',
  label: { vi: 'Xử lý phản ánh', en: 'Report handling' },
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'end', type: 'end', outcome: 'done', custom_key: 'kept' }
  ],
  transitions: [{ from: 'start', to: 'end' }],
  layout: { nodes: { start: { x: 0, y: 0 }, end: { x: 0, y: 160 } } }
})

const NODE_TYPES = [
  {
    type: 'human_task',
    label: { vi: 'Công việc', en: 'Human task' },
    description: { vi: 'Việc của cán bộ', en: 'Work for officials' },
    group: 'task',
    config_schema: {
      type: 'object',
      properties: {
        label: { $ref: 'common.schema.json#/$defs/label' },
        assignment: { type: 'object' },
        actions: { type: 'array' },
        pauses_clock: { type: 'boolean' }
      }
    },
    transition_keys: ['action'],
    terminal: false
  },
  {
    type: 'timer',
    label: { vi: 'Hẹn giờ', en: 'Timer' },
    group: 'event',
    config_schema: { type: 'object', properties: { duration: { type: 'string' } } },
    transition_keys: [],
    terminal: false
  },
  { type: 'start', label: { vi: 'Bắt đầu', en: 'Start' }, group: 'flow', config_schema: {}, transition_keys: [], terminal: false },
  { type: 'end', label: { vi: 'Kết thúc', en: 'End' }, group: 'flow', config_schema: { type: 'object', properties: { outcome: { $ref: 'common.schema.json#/$defs/key' } } }, transition_keys: [], terminal: true }
]

interface Call {
  method: string
  url: string
  headers: Record<string, string>
  body: unknown
}

let calls: Call[]
let answers: Record<string, (call: Call) => Response>

function json(status: number, body: unknown, etag?: string): Response {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  if (etag) headers.ETag = `"${etag}"`
  return new Response(JSON.stringify(body), { status, headers })
}

beforeEach(() => {
  setLanguage('vi')
  calls = []
  answers = {
    'GET /api/v1/apps/demo/definitions/workflow/flow/': () =>
      json(200, { kind: 'workflow', key: 'flow', label: 'x', content_hash: 'h', document: starter(), revision: 'r1' }, 'r1'),
    'GET /api/v1/node-types/': () => json(200, NODE_TYPES),
    'GET /api/v1/apps/demo/definitions/entity/report/': () =>
      json(200, {
        kind: 'entity',
        key: 'report',
        document: {
          schema_version: 1,
          key: 'report',
          label: { vi: 'Phản ánh' },
          fields: [
            { key: 'title', type: 'text', label: { vi: 'Tiêu đề' } },
            { key: 'severity', type: 'choice', label: { vi: 'Mức độ' }, options: [] }
          ]
        },
        revision: 'r1'
      }, 'r1'),
    'GET /api/v1/agencies/': () => json(200, [{ code: 'ioc', name: 'IOC', name_vi: 'Trung tâm IOC', name_en: 'IOC' }]),
    'GET /api/v1/roles/': () => json(200, [{ key: 'dispatcher', name: 'Điều phối' }]),
    'PUT /api/v1/apps/demo/definitions/workflow/flow/': (call) =>
      json(200, { kind: 'workflow', key: 'flow', document: (call.body as { document: unknown }).document, revision: 'r2' }, 'r2')
  }
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string, init: RequestInit = {}) => {
      const call: Call = {
        method: init.method ?? 'GET',
        url,
        headers: (init.headers ?? {}) as Record<string, string>,
        body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined
      }
      calls.push(call)
      const answer = answers[`${call.method} ${url}`]
      return Promise.resolve(answer ? answer(call) : json(404, { error: { code: 'not_found', message: 'Not found.' } }))
    })
  )
})


/** Change the address as a link would (the router listens to popstate). */
function goTo(url: string) {
  history.replaceState(null, '', url)
  window.dispatchEvent(new PopStateEvent('popstate'))
}

function renderEditor() {
  return render(
    <div style={{ width: 1200, height: 800 }}>
      <WorkflowEditor appKey="demo" definitionKey="flow" />
    </div>
  )
}

describe('WorkflowEditor', () => {
  it('lists the served node types in the palette, grouped', async () => {
    renderEditor()
    const palette = await screen.findByRole('navigation', { name: 'Các loại bước' })
    const buttons = within(palette).getAllByRole('button').map((button) => button.textContent)
    expect(buttons).toEqual(['Công việc', 'Bắt đầu', 'Kết thúc', 'Hẹn giờ'])
    expect(within(palette).getByText('Việc của cán bộ')).toBeTruthy()
    expect(screen.getByTestId('workflow-canvas').getAttribute('aria-label')).toBe('Sơ đồ quy trình')
    await waitFor(() => expect(screen.getByTestId('node-end')).toBeTruthy())
  })

  it('adds a step by keyboard, marks the editor dirty and saves with If-Match', async () => {
    const user = userEvent.setup()
    renderEditor()
    const item = await screen.findByRole('button', { name: 'Công việc' })
    expect(screen.queryByText('Có thay đổi chưa lưu')).toBeNull()
    item.focus()
    await user.keyboard('{Enter}')
    expect(await screen.findByText('Có thay đổi chưa lưu')).toBeTruthy()
    await waitFor(() => expect(screen.getByTestId('node-human_task_1')).toBeTruthy())
    // The inspector shows the new step; assign it to a role of an agency.
    const inspector = screen.getByRole('complementary', { name: 'Thuộc tính' })
    expect((within(inspector).getByLabelText<HTMLInputElement>('Mã bước')).value).toBe('human_task_1')
    await user.selectOptions(within(inspector).getByLabelText('Giao cho'), 'agency')
    await user.type(within(inspector).getByLabelText('Cơ quan (mã)'), 'ioc')
    await user.type(within(inspector).getByLabelText('Vai trò (mã)'), 'dispatcher')
    await user.click(within(inspector).getByLabelText(/Mức độ/))
    await user.click(screen.getByRole('button', { name: 'Lưu' }))
    await waitFor(() => expect(calls.some((call) => call.method === 'PUT')).toBe(true))
    const put = calls.find((call) => call.method === 'PUT')!
    expect(put.headers['If-Match']).toBe('"r1"')
    const document = (put.body as { document: WorkflowDoc }).document
    const task = document.nodes.find((node) => node.id === 'human_task_1')!
    expect(task).toMatchObject({
      type: 'human_task',
      label: { vi: 'Công việc', en: 'Human task' },
      assignment: { agency: 'ioc', role: 'dispatcher' },
      form: { fields: ['severity'] }
    })
    expect(document.nodes.find((node) => node.id === 'end')!.custom_key).toBe('kept')
    expect(document.layout!.nodes.human_task_1).toBeTruthy()
    expect(await screen.findByText('Đã lưu')).toBeTruthy()
    // The next save is based on the new revision.
    await user.keyboard('{Control>}s{/Control}')
    await waitFor(() => expect(calls.filter((call) => call.method === 'PUT')).toHaveLength(2))
    expect(calls.filter((call) => call.method === 'PUT')[1].headers['If-Match']).toBe('"r2"')
  })

  it('pins the findings of a refused save on their steps', async () => {
    const user = userEvent.setup()
    answers['PUT /api/v1/apps/demo/definitions/workflow/flow/'] = () =>
      json(400, {
        error: {
          code: 'definition_invalid',
          message: 'The definition is not valid',
          details: [
            { code: 'x', severity: 'error', message: 'outcome is wrong', path: 'workflows/flow/nodes/end' },
            { code: 'y', severity: 'warning', message: 'workflow-wide note', path: 'workflows/flow/deadline' }
          ]
        }
      })
    renderEditor()
    await user.click(await screen.findByRole('button', { name: 'Lưu' }))
    expect(await screen.findByText(/Chưa lưu được: có 2 vấn đề/)).toBeTruthy()
    await waitFor(() => expect(within(screen.getByTestId('node-end')).getByText('outcome is wrong')).toBeTruthy())
    expect(screen.getByText('workflow-wide note')).toBeTruthy()
  })

  it('shows a conflict with a Reload button', async () => {
    const user = userEvent.setup()
    answers['PUT /api/v1/apps/demo/definitions/workflow/flow/'] = () =>
      json(409, { error: { code: 'conflict', message: 'stale', details: { revision: 'r9' } } })
    renderEditor()
    await user.click(await screen.findByRole('button', { name: 'Lưu' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('Bản nháp vừa được người khác lưu')
    const before = calls.length
    await user.click(within(alert).getByRole('button', { name: 'Tải lại' }))
    await waitFor(() =>
      expect(calls.slice(before).some((call) => call.url.endsWith('/workflow/flow/') && call.method === 'GET')).toBe(true)
    )
  })

  it('falls back to the core types when node-types/ is missing', async () => {
    delete answers['GET /api/v1/node-types/']
    renderEditor()
    expect(await screen.findByText(/Máy chủ chưa cung cấp danh sách loại bước/)).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Công việc' })).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Rẽ nhánh' })).toBeTruthy()
  })

  it('selects the step named by ?node= on load', async () => {
    goTo('/builder/apps/demo/workflow/flow?node=end')
    try {
      renderEditor()
      const inspector = await screen.findByRole('complementary', { name: 'Thuộc tính' })
      await waitFor(() =>
        expect((within(inspector).getByLabelText<HTMLInputElement>('Mã bước')).value).toBe('end')
      )
    } finally {
      goTo('/')
    }
  })

  it('places a step added by keyboard below the selected step, on a free spot', async () => {
    const user = userEvent.setup()
    goTo('/builder/apps/demo/workflow/flow?node=start')
    try {
      renderEditor()
      const item = await screen.findByRole('button', { name: 'Hẹn giờ' })
      item.focus()
      await user.keyboard('{Enter}')
      await waitFor(() => expect(screen.getByTestId('node-timer_1')).toBeTruthy())
      await user.click(screen.getByRole('button', { name: 'Lưu' }))
      await waitFor(() => expect(calls.some((call) => call.method === 'PUT')).toBe(true))
      const document = (calls.find((call) => call.method === 'PUT')!.body as { document: WorkflowDoc }).document
      // Below "start" (0, 0) is "end" (0, 160): the new step goes beside it, not on it.
      expect(document.layout!.nodes.timer_1).toEqual({ x: 240, y: 140 })
    } finally {
      goTo('/')
    }
  })

  it('draws two ways out between the same steps apart, each with its label', async () => {
    answers['GET /api/v1/apps/demo/definitions/workflow/flow/'] = () =>
      json(200, {
        kind: 'workflow',
        key: 'flow',
        document: {
          ...starter(),
          nodes: [
            { id: 'start', type: 'start' },
            {
              id: 'review',
              type: 'human_task',
              actions: [
                { key: 'approve', label: { vi: 'Duyệt' } },
                { key: 'return', label: { vi: 'Trả lại' } }
              ]
            },
            { id: 'end', type: 'end' }
          ],
          transitions: [
            { from: 'start', to: 'review' },
            { from: 'review', to: 'end', action: 'approve' },
            { from: 'review', to: 'end', action: 'return' }
          ],
          layout: { nodes: { start: { x: 0, y: 0 }, review: { x: 0, y: 160 }, end: { x: 0, y: 320 } } }
        },
        revision: 'r1'
      }, 'r1')
    renderEditor()
    const canvas = await screen.findByTestId('workflow-canvas')
    await waitFor(() => expect(canvas.querySelectorAll('.react-flow__edge')).toHaveLength(3))
    const approve = canvas.querySelector('[data-id="t1"] path.react-flow__edge-path')!.getAttribute('d')
    const back = canvas.querySelector('[data-id="t2"] path.react-flow__edge-path')!.getAttribute('d')
    expect(approve).not.toBe(back)
    expect(within(canvas).getByText('Duyệt')).toBeTruthy()
    expect(within(canvas).getByText('Trả lại')).toBeTruthy()
  })

  it('shows a not-found state', async () => {
    delete answers['GET /api/v1/apps/demo/definitions/workflow/flow/']
    renderEditor()
    expect(await screen.findByRole('heading', { name: 'Không tìm thấy quy trình' })).toBeTruthy()
    await act(async () => {})
  })
})
