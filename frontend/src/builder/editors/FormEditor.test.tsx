import { fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import '../messages'
import { setLanguage } from '../i18n'
import FormEditor from './FormEditor'
import { type Request, apiError, definitionAnswer, stubApi } from './testing'

const ENTITY = {
  schema_version: 1,
  key: 'report',
  label: { vi: 'Phản ánh' },
  fields: [
    {
      key: 'category',
      type: 'choice',
      label: { vi: 'Loại sự cố' },
      options: [
        { value: 'flooding', label: { vi: 'Ngập nước' } },
        { value: 'other', label: { vi: 'Khác' } }
      ]
    },
    { key: 'other_category', type: 'text', label: { vi: 'Loại khác' } },
    { key: 'depth', type: 'number', label: { vi: 'Độ sâu' } }
  ]
}

const FORM = {
  schema_version: 1,
  key: 'report_form',
  entity: 'report',
  audience: 'public',
  label: { vi: 'Gửi phản ánh' },
  steps: [
    { key: 'problem', label: { vi: 'Sự cố' }, fields: [{ field: 'category', widget: 'radio' }, { field: 'other_category' }] },
    { key: 'details', label: { vi: 'Chi tiết' }, fields: [{ field: 'depth' }], x_step: 1 }
  ]
}

function serve(saved: Request[], preview: (request: Request) => ReturnType<Parameters<typeof stubApi>[0]>) {
  return stubApi((request) => {
    const { method, url } = request
    if (url === '/api/v1/apps/city/definitions/form/report_form/' && method === 'GET') return definitionAnswer('form', FORM, 'r1')
    if (url === '/api/v1/apps/city/definitions/form/report_form/' && method === 'PUT') {
      saved.push(request)
      return definitionAnswer('form', (request.body as { document: Record<string, unknown> }).document, 'r2')
    }
    if (url === '/api/v1/apps/city/definitions/entity/report/') return definitionAnswer('entity', ENTITY, 'r1')
    if (url === '/api/v1/apps/city/definitions/') {
      return {
        body: {
          revision: 'r1',
          definitions: [
            { kind: 'entity', key: 'report', label: 'Phản ánh', content_hash: 'a' },
            { kind: 'form', key: 'report_form', label: 'Gửi phản ánh', content_hash: 'b' },
            { kind: 'workflow', key: 'flow', label: 'Xử lý', content_hash: 'c' }
          ]
        }
      }
    }
    if (url === '/api/v1/apps/city/preview/') return preview(request)
    return undefined
  })
}

type Step = { key: string; fields: Record<string, unknown>[] }

beforeEach(() => setLanguage('vi'))

describe('FormEditor', () => {
  it('moves a field to another step, gives it a visible_if and saves', async () => {
    const user = userEvent.setup()
    const saved: Request[] = []
    const previews: Request[] = []
    serve(saved, (request) => {
      previews.push(request)
      return { html: '<!doctype html><form><label>Loại sự cố</label></form>' }
    })
    render(<FormEditor appKey="city" definitionKey="report_form" />)
    expect(await screen.findByRole('heading', { name: 'Biểu mẫu: Gửi phản ánh' })).toBeTruthy()
    await screen.findByRole('option', { name: 'Xử lý (flow)' })

    // Keyboard way: "move to step…" on "Loại khác".
    await user.selectOptions(await screen.findByLabelText('Chuyển “Loại khác” sang bước khác'), 'Bước 2: Chi tiết')
    const step2 = screen.getByRole('region', { name: 'Bước 2: Chi tiết' })
    expect(within(step2).getByRole('button', { name: /^Loại khác/ })).toBeTruthy()

    // Open it and build its visible_if visually.
    await user.click(within(step2).getByRole('button', { name: /^Loại khác/, expanded: false }))
    const visible = within(step2).getByRole('group', { name: 'Hiển thị khi' })
    await user.click(within(visible).getByRole('button', { name: 'Thêm điều kiện' }))
    await user.selectOptions(within(visible).getByLabelText('Giá trị'), 'other')
    expect(within(step2).getAllByText('Loại sự cố = Khác').length).toBeGreaterThan(0)

    await user.click(screen.getByRole('button', { name: 'Lưu' }))
    await waitFor(() => expect(saved).toHaveLength(1))
    expect(saved[0].headers['If-Match']).toBe('"r1"')
    const document = (saved[0].body as { document: { steps: Step[] } }).document
    expect(document.steps[0].fields).toEqual([{ field: 'category', widget: 'radio' }])
    expect(document.steps[1]).toEqual({
      key: 'details',
      label: { vi: 'Chi tiết' },
      x_step: 1,
      fields: [
        { field: 'depth' },
        { field: 'other_category', visible_if: { '==': [{ var: 'category' }, 'other'] } }
      ]
    })

    // The preview got the unsaved form with the entity, and shows the server's HTML.
    const frame = await screen.findByTitle('Xem trước biểu mẫu')
    expect(frame.getAttribute('srcdoc')).toContain('<label>Loại sự cố</label>')
    await waitFor(() => {
      const last = previews[previews.length - 1].body as { form: { steps: Step[] }; entity: { key: string } }
      expect(last.entity.key).toBe('report')
      expect(last.form.steps[1].fields[1].visible_if).toEqual({ '==': [{ var: 'category' }, 'other'] })
    })
  })

  it('drags a field into another step, adds steps and unplaced fields', async () => {
    const user = userEvent.setup()
    const saved: Request[] = []
    serve(saved, () => apiError(404, 'not_found', 'Not found.'))
    const { container } = render(<FormEditor appKey="city" definitionKey="report_form" />)
    await screen.findByRole('heading', { name: 'Biểu mẫu: Gửi phản ánh' })
    // Without the preview endpoint the panel says so.
    expect(await screen.findByText('Máy chủ chưa hỗ trợ xem trước biểu mẫu.')).toBeTruthy()

    const data = { setData: () => undefined, getData: () => '', effectAllowed: '' }
    const handles = container.querySelectorAll('li .drag-handle')
    fireEvent.dragStart(handles[0], { dataTransfer: data })
    const step2 = screen.getByRole('region', { name: 'Bước 2: Chi tiết' })
    const target = within(step2).getByRole('listitem')
    fireEvent.dragOver(target, { dataTransfer: data })
    fireEvent.drop(target, { dataTransfer: data })
    expect(within(step2).getAllByRole('listitem').map((item) => item.querySelector('code')?.textContent)).toEqual([
      'category',
      'depth'
    ])

    await user.click(screen.getByRole('button', { name: 'Thêm bước' }))
    const step3 = screen.getByRole('region', { name: 'Bước 3: Bước 3' })
    expect(within(step3).getByText(/Chưa có trường nào/)).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Gỡ “Độ sâu” khỏi biểu mẫu' }))
    await user.click(within(step3).getByRole('button', { name: 'Thêm tất cả trường còn lại vào “Bước 3”' }))

    await user.click(screen.getByRole('button', { name: 'Lưu' }))
    await waitFor(() => expect(saved).toHaveLength(1))
    const document = (saved[0].body as { document: { steps: Step[] } }).document
    expect(document.steps.map((step) => [step.key, step.fields.map((field) => field.field)])).toEqual([
      ['problem', ['other_category']],
      ['details', ['category']],
      ['step_3', ['depth']]
    ])
  })

  it('shows why the preview is not drawn for an invalid form', async () => {
    serve([], () =>
      apiError(400, 'invalid', 'Invalid form.', [{ code: 'schema', message: 'steps/0/fields: too short', path: 'steps/0' }])
    )
    render(<FormEditor appKey="city" definitionKey="report_form" />)
    expect(await screen.findByText('Biểu mẫu chưa hợp lệ nên chưa xem trước được:')).toBeTruthy()
    expect(screen.getByText('steps/0/fields: too short')).toBeTruthy()
  })
})

function goTo(url: string) {
  history.replaceState(null, '', url)
  window.dispatchEvent(new PopStateEvent('popstate'))
}

describe('FormEditor deep links and step dragging', () => {
  const scrolled: Element[] = []
  beforeEach(() => {
    scrolled.length = 0
    Element.prototype.scrollIntoView = vi.fn(function (this: Element) {
      scrolled.push(this)
    })
  })
  afterEach(() => goTo('/builder/'))

  it('focuses the step named by ?step=<key>', async () => {
    serve([], () => apiError(404, 'not_found', 'Not found.'))
    goTo('/builder/apps/city/form/report_form?step=details')
    render(<FormEditor appKey="city" definitionKey="report_form" />)
    const heading = await screen.findByRole('heading', { name: 'Bước 2: Chi tiết' })
    await waitFor(() => expect(document.activeElement).toBe(heading))
    expect(scrolled).toEqual([heading])
    expect(screen.queryAllByRole('button', { expanded: true })).toHaveLength(0)
  })

  it('opens and focuses the placed field named by ?field=<key>, in whichever step holds it', async () => {
    serve([], () => apiError(404, 'not_found', 'Not found.'))
    goTo('/builder/apps/city/form/report_form?field=depth')
    render(<FormEditor appKey="city" definitionKey="report_form" />)
    const step2 = await screen.findByRole('region', { name: 'Bước 2: Chi tiết' })
    const toggle = await within(step2).findByRole('button', { name: /^Độ sâu/, expanded: true })
    await waitFor(() => expect(document.activeElement).toBe(toggle))
    expect(scrolled).toEqual([toggle])
    expect(within(step2).getByRole('group', { name: 'Hiển thị khi' })).toBeTruthy()
  })

  it('takes step and field indexes (schema finding paths) and ignores unknown names', async () => {
    serve([], () => apiError(404, 'not_found', 'Not found.'))
    goTo('/builder/apps/city/form/report_form?step=0&field=1')
    const first = render(<FormEditor appKey="city" definitionKey="report_form" />)
    const toggle = await screen.findByRole('button', { name: /^Loại khác/, expanded: true })
    await waitFor(() => expect(document.activeElement).toBe(toggle))
    first.unmount()

    goTo('/builder/apps/city/form/report_form?step=nope&field=nothing')
    render(<FormEditor appKey="city" definitionKey="report_form" />)
    await screen.findByRole('region', { name: 'Bước 2: Chi tiết' })
    expect(screen.queryAllByRole('button', { expanded: true })).toHaveLength(0)
    expect(scrolled).toHaveLength(1)
  })

  it('drags a step by its handle into another place, and saves the new order', async () => {
    const user = userEvent.setup()
    const saved: Request[] = []
    serve(saved, () => apiError(404, 'not_found', 'Not found.'))
    const { container } = render(<FormEditor appKey="city" definitionKey="report_form" />)
    const step2 = await screen.findByRole('region', { name: 'Bước 2: Chi tiết' })
    const carried: Record<string, string> = {}
    const data = {
      setData: (type: string, value: string) => (carried[type] = value),
      getData: (type: string) => carried[type] ?? '',
      effectAllowed: ''
    }
    const handles = container.querySelectorAll('.step-drag-handle')
    expect(handles).toHaveLength(2)
    fireEvent.dragStart(handles[1], { dataTransfer: data })
    expect(carried['text/plain']).toBe('step:1')
    expect(step2.className).toContain('dragging')
    // Dropped on a field of step 1 (a step drop, not a field drop).
    const step1 = screen.getByRole('region', { name: 'Bước 1: Sự cố' })
    const target = within(step1).getAllByRole('listitem')[0]
    fireEvent.dragOver(target, { dataTransfer: data })
    expect(step1.className).toContain('drop-target')
    fireEvent.drop(target, { dataTransfer: data })
    expect(screen.getAllByRole('heading', { level: 3 }).map((heading) => heading.textContent)).toEqual([
      'Bước 1: Chi tiết',
      'Bước 2: Sự cố'
    ])

    await user.click(screen.getByRole('button', { name: 'Lưu' }))
    await waitFor(() => expect(saved).toHaveLength(1))
    const document = (saved[0].body as { document: { steps: Step[] } }).document
    expect(document.steps.map((step) => [step.key, step.fields.map((field) => field.field)])).toEqual([
      ['details', ['depth']],
      ['problem', ['category', 'other_category']]
    ])
  })
})
