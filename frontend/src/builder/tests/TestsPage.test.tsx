// The test page against a stubbed API that answers like the server (docs/openapi.yaml,
// apps/builder/simulation.py): listing and running saved tests, building a test case
// and simulating it, exploring with "choose the action", a conflict on save.
import { act, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import '../messages'
import { setLanguage } from '../i18n'
import { navigate } from '../router'
import type { SimResult, SimTask } from './model'
import TestsPage from './TestsPage'

interface Call {
  method: string
  url: string
  body: unknown
  ifMatch: string | null
}

type Handler = (call: Call) => { status?: number; body?: unknown; etag?: string } | undefined

const WORKFLOW = {
  schema_version: 1,
  key: 'complaint',
  entity: 'report',
  label: { vi: 'Xử lý phản ánh', en: 'Handle a report' },
  nodes: [
    { id: 'start', type: 'start' },
    {
      id: 'triage',
      type: 'human_task',
      label: { vi: 'Phân loại', en: 'Triage' },
      assignment: { agency: 'ioc', role: 'dispatcher' },
      actions: [
        { key: 'accept', label: { vi: 'Chuyển xử lý', en: 'Route for handling' } },
        { key: 'reject', label: { vi: 'Từ chối', en: 'Reject' } }
      ],
      form: { fields: ['severity'] }
    },
    {
      id: 'handle',
      type: 'human_task',
      label: { vi: 'Xử lý', en: 'Handle' },
      assignment: { submitter: true },
      actions: [{ key: 'resolve', label: { vi: 'Đã xử lý xong', en: 'Resolved' } }]
    },
    { id: 'done', type: 'end', label: { vi: 'Đã xử lý', en: 'Resolved' }, outcome: 'resolved' },
    { id: 'refused', type: 'end', label: { vi: 'Từ chối', en: 'Refused' }, outcome: 'rejected' }
  ],
  transitions: [
    { from: 'start', to: 'triage' },
    { from: 'triage', to: 'handle', action: 'accept' },
    { from: 'triage', to: 'refused', action: 'reject' },
    { from: 'handle', to: 'done', action: 'resolve' }
  ]
}

const ENTITY = {
  schema_version: 1,
  key: 'report',
  label: { vi: 'Phản ánh', en: 'Report' },
  fields: [
    { key: 'title', type: 'text', label: { vi: 'Tiêu đề', en: 'Title' } },
    { key: 'households', type: 'number', label: { vi: 'Số hộ', en: 'Households' } },
    { key: 'urgent', type: 'boolean', label: { vi: 'Khẩn cấp', en: 'Urgent' } },
    {
      key: 'severity',
      type: 'choice',
      label: { vi: 'Mức độ', en: 'Severity' },
      options: [
        { value: 'low', label: { vi: 'Thấp', en: 'Low' } },
        { value: 'high', label: { vi: 'Cao', en: 'High' } }
      ]
    },
    { key: 'place', type: 'location', label: { vi: 'Vị trí', en: 'Place' } }
  ]
}

const SAVED_TEST = {
  schema_version: 1,
  key: 'happy_path',
  label: { vi: 'Đường thuận', en: 'Happy path' },
  workflow: 'complaint',
  data: { title: 'Ngập đường' },
  steps: [{ node: 'triage', action: 'accept' }],
  expect: { status: 'running' }
}

function appDetail(revision: string) {
  return {
    id: 'a1',
    key: 'demo',
    label: 'Phản ánh hiện trường',
    description: '',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    versions: [],
    can_publish: true,
    draft: {
      id: 'd1',
      revision,
      label: 'draft',
      updated_at: '2026-01-01T00:00:00Z',
      definitions: [
        { kind: 'entity', key: 'report', label: 'Phản ánh', content_hash: 'x' },
        { kind: 'workflow', key: 'complaint', label: 'Xử lý phản ánh', content_hash: 'y' },
        { kind: 'test', key: 'happy_path', label: 'Đường thuận', content_hash: 'z' },
        { kind: 'test', key: 'refusal', label: 'Từ chối', content_hash: 'w' }
      ]
    }
  }
}

const TRIAGE_TASK: SimTask = {
  node: 'triage',
  label: 'Phân loại',
  assignee: {
    kind: 'agency_role',
    agency: 'ioc',
    agency_name: 'Trung tâm điều hành',
    role: 'dispatcher',
    role_name: 'Điều phối viên',
    user: null
  },
  due: '2026-03-03T02:00:00Z',
  action: 'accept',
  actions: ['accept', 'reject']
}

const HANDLE_TASK: SimTask = {
  node: 'handle',
  label: 'Xử lý',
  assignee: { kind: 'submitter', agency: null, agency_name: null, role: null, role_name: null, user: null },
  due: null,
  action: null,
  actions: ['resolve']
}

function running(): SimResult {
  return {
    ok: true,
    status: 'running',
    path: [
      { node: 'start', type: 'start', label: '' },
      { node: 'triage', type: 'human_task', label: 'Phân loại' },
      { node: 'handle', type: 'human_task', label: 'Xử lý' }
    ],
    tasks: [TRIAGE_TASK, HANDLE_TASK],
    waiting: ['handle'],
    effects: [{ kind: 'notify', summary: 'email to the submitter: Đã tiếp nhận' }],
    errors: [],
    expectations: []
  }
}

function completed(): SimResult {
  return {
    ok: true,
    status: 'completed',
    path: [...running().path, { node: 'done', type: 'end', label: 'Đã xử lý' }],
    tasks: [TRIAGE_TASK, { ...HANDLE_TASK, action: 'resolve' }],
    waiting: [],
    effects: [],
    errors: [],
    expectations: [{ what: 'status', expected: 'completed', actual: 'completed', ok: true }]
  }
}

let calls: Call[] = []
let handlers: Handler[] = []

function json(status: number, body: unknown, etag?: string): Response {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  if (etag) headers.ETag = `"${etag}"`
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers })
}

/** The server's usual answers; `handlers` added by a test come first. */
type Answer = { status?: number; body?: unknown; etag?: string }

function defaultAnswer(call: Call): Answer | undefined {
  const { method, url } = call
  if (method === 'GET' && url === '/api/v1/apps/demo/') return { body: appDetail('rev1'), etag: 'rev1' }
  if (method === 'GET' && url === '/api/v1/apps/demo/definitions/workflow/complaint/')
    return { body: { kind: 'workflow', key: 'complaint', label: 'x', content_hash: 'y', document: WORKFLOW, revision: 'rev1' }, etag: 'rev1' }
  if (method === 'GET' && url === '/api/v1/apps/demo/definitions/entity/report/')
    return { body: { kind: 'entity', key: 'report', label: 'x', content_hash: 'x', document: ENTITY, revision: 'rev1' }, etag: 'rev1' }
  if (method === 'GET' && url === '/api/v1/apps/demo/definitions/test/happy_path/')
    return { body: { kind: 'test', key: 'happy_path', label: 'x', content_hash: 'z', document: SAVED_TEST, revision: 'rev1' }, etag: 'rev1' }
  return undefined
}

beforeEach(() => {
  calls = []
  handlers = []
  setLanguage('vi')
  window.scrollTo = () => undefined
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string, init: RequestInit = {}) => {
      const headers = (init.headers ?? {}) as Record<string, string>
      const call: Call = {
        method: init.method ?? 'GET',
        url,
        body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
        ifMatch: headers['If-Match'] ?? null
      }
      calls.push(call)
      for (const handler of [...handlers, defaultAnswer]) {
        const answer = handler(call)
        if (answer) return Promise.resolve(json(answer.status ?? 200, answer.body, answer.etag))
      }
      return Promise.resolve(json(404, { error: { code: 'not_found', message: 'Not found.' } }))
    })
  )
  act(() => {
    navigate('/apps/demo/tests')
  })
})


const posts = (path: string) => calls.filter((call) => call.method === 'POST' && call.url === path)

describe('TestsPage', () => {
  it('lists the saved tests and shows the results of "run all"', async () => {
    handlers.push((call) =>
      call.method === 'POST' && call.url === '/api/v1/apps/demo/tests/run/'
        ? {
            body: {
              passed: false,
              results: [
                { key: 'happy_path', label: 'Đường thuận', ok: true, result: running() },
                {
                  key: 'refusal',
                  label: 'Từ chối',
                  ok: false,
                  result: {
                    ...running(),
                    ok: false,
                    expectations: [{ what: 'status', expected: 'terminated', actual: 'running', ok: false }]
                  }
                }
              ]
            }
          }
        : undefined
    )
    const user = userEvent.setup()
    render(<TestsPage appKey="demo" />)
    const table = await screen.findByRole('table', { name: 'Các ca kiểm thử đã lưu' })
    const rows = within(table).getAllByRole('row').slice(1)
    expect(rows.map((row) => within(row).getAllByRole('cell')[1].textContent)).toEqual(['happy_path', 'refusal'])
    expect(within(rows[0]).getByText('Chưa chạy')).toBeTruthy()

    await user.click(screen.getByRole('button', { name: 'Chạy tất cả' }))

    await waitFor(() => expect(within(rows[0]).getAllByRole('cell')[2].textContent).toBe('Đạt'))
    expect(within(rows[1]).getAllByRole('cell')[2].textContent).toBe('Không đạt')
    expect(screen.getByRole('status').textContent).toContain('1/2 ca kiểm thử không đạt')
    expect(screen.getByRole('status').textContent).toContain('không thể xuất bản')
    // The failing test says why.
    const why = screen.getByText('Vì sao “Từ chối” không đạt')
    expect(why.closest('details')!.textContent).toMatch(/mong đợi Bị chấm dứt, thực tế Đang xử lý/)
    expect(posts('/api/v1/apps/demo/tests/run/')).toHaveLength(1)
  })

  it('builds a test case, simulates it and shows path, assignees and deadlines', async () => {
    handlers.push((call) =>
      call.method === 'POST' && call.url === '/api/v1/apps/demo/simulate/' ? { body: running() } : undefined
    )
    const user = userEvent.setup()
    render(<TestsPage appKey="demo" />)
    await user.click(await screen.findByRole('link', { name: 'Ca kiểm thử mới' }))
    const editor = await screen.findByRole('region', { name: 'Ca kiểm thử mới' })

    await user.type(within(editor).getByLabelText('Mã ca kiểm thử'), 'urgent_case')
    await user.type(within(editor).getByLabelText('Tiếng Việt'), 'Phản ánh khẩn')
    // Only one workflow: it is chosen already; choosing it again changes nothing.
    const workflow = within(editor).getByLabelText<HTMLSelectElement>('Quy trình')
    expect(workflow.value).toBe('complaint')
    await user.selectOptions(workflow, 'complaint')

    await user.type(await within(editor).findByLabelText('Tiêu đề'), 'Ngập sâu')
    await user.type(within(editor).getByLabelText('Số hộ'), '12')
    await user.selectOptions(within(editor).getByLabelText('Khẩn cấp'), 'true')
    await user.type(within(editor).getByLabelText('Vị trí'), '{{"lat": 10.03, "lng": 105.78}')

    await user.click(within(editor).getByRole('button', { name: 'Thêm bước' }))
    const step = within(editor).getByRole('group', { name: 'Bước 1' })
    const action = within(step).getByLabelText<HTMLSelectElement>('Thao tác')
    expect(action.disabled).toBe(true)
    await user.selectOptions(within(step).getByLabelText('Công việc'), 'triage')
    expect(within(action).getAllByRole('option').map((o) => o.textContent)).toEqual([
      '— Chọn —',
      'Chuyển xử lý',
      'Từ chối'
    ])
    await user.selectOptions(action, 'accept')
    await user.click(within(step).getByText('Dữ liệu cán bộ nhập (không bắt buộc)'))
    await user.selectOptions(within(step).getByLabelText('Mức độ'), 'high')
    await user.selectOptions(within(editor).getByLabelText('Trạng thái cuối'), 'running')
    await user.click(within(editor).getByRole('checkbox', { name: /Phân loại/ }))

    await user.click(within(editor).getByRole('button', { name: 'Chạy mô phỏng' }))

    await waitFor(() => expect(posts('/api/v1/apps/demo/simulate/')).toHaveLength(1))
    expect(posts('/api/v1/apps/demo/simulate/')[0].body).toEqual({
      workflow: 'complaint',
      data: { title: 'Ngập sâu', households: 12, urgent: true, place: { lat: 10.03, lng: 105.78 } },
      steps: [{ node: 'triage', action: 'accept', data: { severity: 'high' } }],
      expect: { status: 'running', visits: ['triage'] }
    })
    const path = await screen.findByRole('list', { name: 'Đường đi của hồ sơ' })
    expect(within(path).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'start start',
      'human_task Phân loại triage',
      'human_task Xử lý handle'
    ])
    const tasks = screen.getByRole('table', { name: 'Công việc được tạo' })
    const [triage, handle] = within(tasks).getAllByRole('row').slice(1)
    expect(within(triage).getByText('Điều phối viên — Trung tâm điều hành')).toBeTruthy()
    // 02:00 UTC is 09:00 in Hanoi.
    expect(within(triage).getAllByRole('cell')[2].textContent).toMatch(/09:00/)
    expect(within(triage).getAllByRole('cell')[2].textContent).toMatch(/2026/)
    expect(within(triage).getByText('Chuyển xử lý')).toBeTruthy()
    expect(within(handle).getByText('Người nộp hồ sơ')).toBeTruthy()
    expect(within(handle).getByText('Đang chờ xử lý')).toBeTruthy()
    expect(screen.getByText(/email to the submitter/)).toBeTruthy()
    // Nothing was saved.
    expect(calls.some((call) => call.method === 'PUT')).toBe(false)

    // English: the same deadline in en-GB.
    act(() => setLanguage('en'))
    expect(within(triage).getAllByRole('cell')[2].textContent).toMatch(/Mar 2026, 09:00/)
    expect(within(handle).getByText('The applicant')).toBeTruthy()
  })

  it('"choose the action" appends a step and runs the simulation again', async () => {
    handlers.push((call) => {
      if (call.method !== 'POST' || call.url !== '/api/v1/apps/demo/simulate/') return undefined
      const steps = (call.body as { steps: unknown[] }).steps
      return { body: steps.length > 1 ? completed() : running() }
    })
    const user = userEvent.setup()
    act(() => {
      navigate('/apps/demo/tests?test=happy_path')
    })
    render(<TestsPage appKey="demo" />)
    const editor = await screen.findByRole('region', { name: 'Ca kiểm thử: Đường thuận' })
    await within(editor).findByRole('group', { name: 'Bước 1' })
    await user.click(within(editor).getByRole('button', { name: 'Chạy mô phỏng' }))

    const choice = await screen.findByRole('group', { name: 'Chọn thao tác cho “Xử lý”' })
    await user.click(within(choice).getByRole('button', { name: 'Đã xử lý xong' }))

    await waitFor(() => expect(posts('/api/v1/apps/demo/simulate/')).toHaveLength(2))
    expect((posts('/api/v1/apps/demo/simulate/')[1].body as { steps: unknown[] }).steps).toEqual([
      { node: 'triage', action: 'accept' },
      { node: 'handle', action: 'resolve' }
    ])
    const second = within(editor).getByRole('group', { name: 'Bước 2' })
    expect((within(second).getByLabelText<HTMLSelectElement>('Công việc')).value).toBe('handle')
    expect((within(second).getByLabelText<HTMLSelectElement>('Thao tác')).value).toBe('resolve')
    await waitFor(() => expect(screen.queryByRole('group', { name: /Chọn thao tác cho/ })).toBeNull())
    expect(screen.getByText(/Trạng thái: Hoàn thành/)).toBeTruthy()
    expect(within(editor).getByText('Có thay đổi chưa lưu')).toBeTruthy()
  })

  it('a simulation error points at its step', async () => {
    handlers.push((call) =>
      call.method === 'POST' && call.url === '/api/v1/apps/demo/simulate/'
        ? {
            body: {
              ...running(),
              ok: false,
              status: 'failed',
              errors: [{ code: 'task_not_open', message: 'Không có công việc nào của nút này đang mở ở bước này.', step: 0 }]
            }
          }
        : undefined
    )
    const user = userEvent.setup()
    act(() => {
      navigate('/apps/demo/tests?test=happy_path')
    })
    render(<TestsPage appKey="demo" />)
    const editor = await screen.findByRole('region', { name: 'Ca kiểm thử: Đường thuận' })
    const step = await within(editor).findByRole('group', { name: 'Bước 1' })
    await user.click(within(editor).getByRole('button', { name: 'Chạy mô phỏng' }))
    await user.click(await screen.findByRole('button', { name: 'Bước 1' }))
    expect(step.className).toContain('has-error')
    expect(document.activeElement).toBe(within(step).getByLabelText('Công việc'))
    expect(within(step).getByText(/Không có công việc nào/)).toBeTruthy()
  })

  it('saves with the revision, and a 409 offers Reload', async () => {
    let conflict = true
    handlers.push((call) => {
      if (call.method !== 'PUT') return undefined
      if (conflict)
        return { status: 409, body: { error: { code: 'conflict', message: 'stale', details: { revision: 'rev2' } } } }
      return { body: { kind: 'test', key: 'happy_path', label: 'x', content_hash: 'q', document: call.body, revision: 'rev3' }, etag: 'rev3' }
    })
    const user = userEvent.setup()
    act(() => {
      navigate('/apps/demo/tests?test=happy_path')
    })
    render(<TestsPage appKey="demo" />)
    const editor = await screen.findByRole('region', { name: 'Ca kiểm thử: Đường thuận' })
    await within(editor).findByRole('group', { name: 'Bước 1' })
    expect((within(editor).getByLabelText<HTMLInputElement>('Mã ca kiểm thử')).readOnly).toBe(true)
    await user.selectOptions(within(editor).getByLabelText('Trạng thái cuối'), 'completed')
    expect(within(editor).getByText('Có thay đổi chưa lưu')).toBeTruthy()
    await user.click(within(editor).getByRole('button', { name: 'Lưu' }))

    const alert = await within(editor).findByRole('alert')
    expect(alert.textContent).toContain('Bản nháp vừa được người khác lưu')
    const put = calls.find((call) => call.method === 'PUT')!
    expect(put.url).toBe('/api/v1/apps/demo/definitions/test/happy_path/')
    expect(put.ifMatch).toBe('"rev1"')
    expect(put.body).toEqual({ document: { ...SAVED_TEST, expect: { status: 'completed' } } })

    const before = calls.filter((call) => call.url.endsWith('/definitions/test/happy_path/') && call.method === 'GET').length
    await user.click(within(alert).getByRole('button', { name: 'Tải lại' }))
    await waitFor(() =>
      expect(calls.filter((call) => call.url.endsWith('/definitions/test/happy_path/') && call.method === 'GET').length).toBe(before + 1)
    )
    const reloaded = await screen.findByRole('region', { name: 'Ca kiểm thử: Đường thuận' })
    await waitFor(() => expect((within(reloaded).getByLabelText<HTMLSelectElement>('Trạng thái cuối')).value).toBe('running'))
    expect(within(reloaded).queryByText('Có thay đổi chưa lưu')).toBeNull()

    conflict = false
    await user.selectOptions(within(reloaded).getByLabelText('Trạng thái cuối'), 'completed')
    await user.click(within(reloaded).getByRole('button', { name: 'Lưu' }))
    await within(reloaded).findByText('Đã lưu ca kiểm thử.')
  })

  it('refuses to save a new test without a key, name and complete steps', async () => {
    const user = userEvent.setup()
    act(() => {
      navigate('/apps/demo/tests?new=1')
    })
    render(<TestsPage appKey="demo" />)
    const editor = await screen.findByRole('region', { name: 'Ca kiểm thử mới' })
    await user.type(within(editor).getByLabelText('Mã ca kiểm thử'), 'happy_path')
    await user.click(await within(editor).findByRole('button', { name: 'Thêm bước' }))
    await user.click(within(editor).getByRole('button', { name: 'Lưu' }))
    expect(within(editor).getByText('Đã có ca kiểm thử với mã này.')).toBeTruthy()
    expect(within(editor).getByText('Cần điền mục này.')).toBeTruthy()
    expect(within(editor).getByText('Bước 1: hãy chọn công việc và thao tác.')).toBeTruthy()
    expect(document.activeElement).toBe(within(editor).getByLabelText('Mã ca kiểm thử'))
    expect(calls.some((call) => call.method === 'PUT')).toBe(false)
  })

  it('saves a new test case, keeps its editor, and deletes it', async () => {
    handlers.push((call) => {
      if (call.method === 'PUT' && call.url === '/api/v1/apps/demo/definitions/test/urgent_case/')
        return {
          body: { kind: 'test', key: 'urgent_case', label: 'x', content_hash: 'q', document: call.body, revision: 'rev2' },
          etag: 'rev2'
        }
      if (call.method === 'DELETE') return { status: 204 }
      return undefined
    })
    // Leaving with unsaved changes asks first; nothing should ask but the deletion.
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false)
    const user = userEvent.setup()
    act(() => {
      navigate('/apps/demo/tests?new=1')
    })
    render(<TestsPage appKey="demo" />)
    const editor = await screen.findByRole('region', { name: 'Ca kiểm thử mới' })
    await user.type(within(editor).getByLabelText('Mã ca kiểm thử'), 'urgent_case')
    await user.type(within(editor).getByLabelText('Tiếng Việt'), 'Phản ánh khẩn')
    await user.type(within(editor).getByLabelText('Tiếng Anh'), 'Urgent report')
    await user.click(await within(editor).findByRole('button', { name: 'Thêm bước' }))
    const step = within(editor).getByRole('group', { name: 'Bước 1' })
    await user.selectOptions(within(step).getByLabelText('Công việc'), 'handle')
    // A task with one action: it is chosen already.
    expect((within(step).getByLabelText<HTMLSelectElement>('Thao tác')).value).toBe('resolve')
    await user.selectOptions(within(editor).getByLabelText('Trạng thái cuối'), 'completed')
    await user.selectOptions(within(editor).getByLabelText('Kết thúc tại nút'), 'done')
    await user.click(within(editor).getByRole('button', { name: 'Lưu' }))

    await within(editor).findByText('Đã lưu ca kiểm thử.')
    const put = calls.find((call) => call.method === 'PUT')!
    expect(put.ifMatch).toBe('"rev1"')
    expect(put.body).toEqual({
      document: {
        schema_version: 1,
        key: 'urgent_case',
        label: { vi: 'Phản ánh khẩn', en: 'Urgent report' },
        workflow: 'complaint',
        data: {},
        steps: [{ node: 'handle', action: 'resolve' }],
        expect: { status: 'completed', end: 'done' }
      }
    })
    expect(location.search).toBe('?test=urgent_case')
    // The same editor, now of a saved test: its key is fixed, it can be deleted.
    expect(editor.isConnected).toBe(true)
    expect((within(editor).getByLabelText<HTMLInputElement>('Mã ca kiểm thử')).readOnly).toBe(true)
    expect(confirm).not.toHaveBeenCalled()
    confirm.mockReturnValue(true)
    await user.click(within(editor).getByRole('button', { name: 'Xóa ca kiểm thử' }))
    expect(confirm).toHaveBeenCalledTimes(1)
    expect(confirm.mock.calls[0][0]).toBe('Xóa ca kiểm thử “Phản ánh khẩn” khỏi bản nháp?')
    await waitFor(() => expect(location.search).toBe(''))
    const removal = calls.find((call) => call.method === 'DELETE')!
    expect(removal.url).toBe('/api/v1/apps/demo/definitions/test/urgent_case/')
    expect(removal.ifMatch).toBe('"rev2"')
    expect(screen.queryByRole('region', { name: /Ca kiểm thử/ })).toBeNull()
  })
})
