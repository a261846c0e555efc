import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import '../messages'
import { setLanguage } from '../i18n'
import { answers } from '../stubs'
import EntityEditor, { type Usage } from './EntityEditor'
import { type Answer, type Request, apiError, definitionAnswer, stubApi } from './testing'

const ENTITY = {
  schema_version: 1,
  key: 'report',
  label: { vi: 'Phản ánh', en: 'Report' },
  title_field: 'title',
  x_custom: { kept: true },
  fields: [
    { key: 'title', type: 'text', required: true, label: { vi: 'Tiêu đề', en: 'Title' } },
    {
      key: 'category',
      type: 'choice',
      label: { vi: 'Loại sự cố' },
      options: [{ value: 'flooding', label: { vi: 'Ngập nước' } }]
    }
  ]
}

// What GET usages/ answers for this draft (a form "report_form" places "title" and shows
// "category" when "title" is filled): apps/builder/usages.py computes it on the server.
const USAGES: Record<string, Usage[]> = {
  title: answers('Usage', [
    { kind: 'entity', key: 'report', path: 'title_field' },
    { kind: 'form', key: 'report_form', path: 'steps[one].fields[category].visible_if' },
    { kind: 'form', key: 'report_form', path: 'steps[one].fields[title]' }
  ]),
  category: answers('Usage', [{ kind: 'workflow', key: 'flow', path: 'transitions[2].condition' }])
}

function serve(saved: Request[] = [], usages: (field: string) => Answer = (field) => ({ body: USAGES[field] ?? [] })) {
  return stubApi((request) => {
    const { method, url } = request
    if (url === '/api/v1/apps/city/definitions/entity/report/' && method === 'GET') {
      return definitionAnswer('entity', ENTITY, 'r1')
    }
    if (url === '/api/v1/apps/city/definitions/entity/report/' && method === 'PUT') {
      saved.push(request)
      return definitionAnswer('entity', (request.body as { document: Record<string, unknown> }).document, 'r2')
    }
    const query = /^\/api\/v1\/apps\/city\/usages\/\?entity=report&field=(\w+)$/.exec(url)
    if (query && method === 'GET') return usages(query[1])
    return undefined
  })
}

beforeEach(() => setLanguage('vi'))

describe('EntityEditor', () => {
  it('adds a field, reorders it and saves the whole document with If-Match', async () => {
    const user = userEvent.setup()
    const saved: Request[] = []
    serve(saved)
    render(<EntityEditor appKey="city" definitionKey="report" />)
    expect(await screen.findByRole('heading', { name: 'Thực thể: Phản ánh' })).toBeTruthy()

    // A bad key is refused with a message; a good one adds the field.
    await user.type(screen.getByLabelText('Mã trường mới'), 'Depth')
    await user.click(screen.getByRole('button', { name: 'Thêm trường' }))
    expect(screen.getByText(/Mã chỉ gồm chữ thường/)).toBeTruthy()
    await user.clear(screen.getByLabelText('Mã trường mới'))
    await user.type(screen.getByLabelText('Mã trường mới'), 'title')
    await user.click(screen.getByRole('button', { name: 'Thêm trường' }))
    expect(screen.getByText('Đã có trường mang mã “title”.')).toBeTruthy()
    await user.clear(screen.getByLabelText('Mã trường mới'))
    await user.type(screen.getByLabelText('Mã trường mới'), 'depth')
    await user.type(screen.getByLabelText('Tên trường mới (tiếng Việt)'), 'Độ sâu')
    await user.selectOptions(screen.getByLabelText('Kiểu dữ liệu'), 'number')
    await user.click(screen.getByRole('button', { name: 'Thêm trường' }))
    expect(screen.getByText(/Có thay đổi chưa lưu/)).toBeTruthy()

    // The new field is open: settings of a number.
    await user.type(screen.getByLabelText('Giá trị lớn nhất'), '500')
    await user.click(screen.getByLabelText('Chỉ nhận số nguyên'))

    // Move it up above "category" with the keyboard button.
    await user.click(screen.getByRole('button', { name: 'Chuyển “Độ sâu” lên' }))
    const list = screen.getByRole('list', { name: 'Các trường dữ liệu' })
    expect(within(list).getAllByRole('listitem').map((item) => item.querySelector('code')?.textContent)).toEqual([
      'title',
      'depth',
      'category'
    ])

    await user.click(screen.getByRole('button', { name: 'Lưu' }))
    await waitFor(() => expect(saved).toHaveLength(1))
    expect(saved[0].headers['If-Match']).toBe('"r1"')
    const document = (saved[0].body as { document: typeof ENTITY }).document
    expect(document.fields.map((field) => field.key)).toEqual(['title', 'depth', 'category'])
    expect(document.fields[1]).toEqual({
      key: 'depth',
      type: 'number',
      label: { vi: 'Độ sâu' },
      max: 500,
      integer: true
    })
    // Unknown properties travel unchanged.
    expect(document.x_custom).toEqual({ kept: true })
    expect(await screen.findByText(/Đã lưu/)).toBeTruthy()

    // The next save names the new revision (Ctrl+S).
    await user.type(screen.getByLabelText('Giá trị nhỏ nhất'), '1')
    await user.keyboard('{Control>}s{/Control}')
    await waitFor(() => expect(saved).toHaveLength(2))
    expect(saved[1].headers['If-Match']).toBe('"r2"')
  })

  it('lists where the server says a field is used before deleting it', async () => {
    const user = userEvent.setup()
    const saved: Request[] = []
    serve(saved)
    render(<EntityEditor appKey="city" definitionKey="report" />)
    await user.click(await screen.findByRole('button', { name: 'Xóa trường “Tiêu đề”' }))
    const dialog = await screen.findByRole('dialog')
    expect(within(dialog).getByText('Trường này đang được dùng ở 3 chỗ:')).toBeTruthy()
    const rows = within(dialog).getAllByRole('row').slice(1).map((row) => row.textContent)
    expect(rows).toEqual([
      'Thực thểreporttitle_field',
      'Biểu mẫureport_formsteps[one].fields[category].visible_if',
      'Biểu mẫureport_formsteps[one].fields[title]'
    ])
    await user.click(within(dialog).getByRole('button', { name: 'Xóa trường' }))
    expect(screen.queryByRole('button', { name: 'Xóa trường “Tiêu đề”' })).toBeNull()
    await user.click(screen.getByRole('button', { name: 'Lưu' }))
    await waitFor(() => expect(saved).toHaveLength(1))
    const document = (saved[0].body as { document: Record<string, unknown> }).document
    expect((document.fields as { key: string }[]).map((field) => field.key)).toEqual(['category'])
    expect(document.title_field).toBeUndefined()
  })

  it('asks the server where the field is used, and cancelling keeps the field', async () => {
    const user = userEvent.setup()
    const calls = serve()
    render(<EntityEditor appKey="city" definitionKey="report" />)
    await user.click(await screen.findByRole('button', { name: 'Xóa trường “Loại sự cố”' }))
    const dialog = await screen.findByRole('dialog')
    expect(await within(dialog).findByText('flow')).toBeTruthy()
    expect(calls.some((call) => call.url === '/api/v1/apps/city/usages/?entity=report&field=category')).toBe(true)
    await user.click(within(dialog).getByRole('button', { name: 'Hủy' }))
    expect(screen.getByRole('button', { name: 'Xóa trường “Loại sự cố”' })).toBeTruthy()
  })

  it('says when the usages cannot be loaded, and still lets the field go', async () => {
    const user = userEvent.setup()
    serve([], () => apiError(500, 'server_error', 'Lỗi máy chủ.'))
    render(<EntityEditor appKey="city" definitionKey="report" />)
    await user.click(await screen.findByRole('button', { name: 'Xóa trường “Loại sự cố”' }))
    const dialog = await screen.findByRole('dialog')
    expect(await within(dialog).findByText('Lỗi máy chủ.')).toBeTruthy()
    await user.click(within(dialog).getByRole('button', { name: 'Xóa trường' }))
    expect(screen.queryByRole('button', { name: 'Xóa trường “Loại sự cố”' })).toBeNull()
  })

  it('shows a conflict with Reload and the findings of a refused save', async () => {
    const user = userEvent.setup()
    let answer = apiError(409, 'conflict', 'Stale.')
    stubApi((request) => {
      if (request.method === 'GET') return definitionAnswer('entity', ENTITY, 'r1')
      return answer
    })
    render(<EntityEditor appKey="city" definitionKey="report" />)
    await user.click(await screen.findByRole('button', { name: 'Lưu' }))
    expect(await screen.findByText(/Bản nháp vừa được người khác lưu/)).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Tải lại' })).toBeTruthy()
    answer = apiError(400, 'invalid', 'Invalid document.', [
      { code: 'schema', message: 'options: should be non-empty', path: 'fields/1/options' }
    ])
    await user.click(screen.getByRole('button', { name: 'Lưu' }))
    const list = await screen.findByRole('list', { name: 'Các trường dữ liệu' })
    expect(within(list).getByText('options: should be non-empty')).toBeTruthy()
  })

  it('renames a field, keeps the title field pointing at it and lists the rules to update', async () => {
    const user = userEvent.setup()
    const saved: Request[] = []
    serve(saved)
    render(<EntityEditor appKey="city" definitionKey="report" />)
    await user.click(await screen.findByRole('button', { name: /^Tiêu đề/, expanded: false }))
    const key = screen.getByLabelText('Mã trường')
    await user.clear(key)
    await user.type(key, 'Bad key')
    expect(screen.getByRole('button', { name: 'Đổi mã' })).toHaveProperty('disabled', true)
    await user.clear(key)
    await user.type(key, 'headline')
    await user.click(screen.getByRole('button', { name: 'Đổi mã' }))
    const note = await screen.findByRole('note')
    expect(note.textContent).toContain('Trường này đã đổi mã từ “title” thành “headline”.')
    expect(await within(note).findByText('steps[one].fields[category].visible_if')).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Lưu' }))
    await waitFor(() => expect(saved).toHaveLength(1))
    const document = (saved[0].body as { document: typeof ENTITY }).document
    expect(document.title_field).toBe('headline')
    expect(document.fields[0].key).toBe('headline')
  })

  it('edits a repeating group: its rows and its own fields', async () => {
    const user = userEvent.setup()
    const saved: Request[] = []
    serve(saved)
    render(<EntityEditor appKey="city" definitionKey="report" />)
    const add = await screen.findByRole('form', { name: 'Thêm trường' })
    await user.type(within(add).getByLabelText('Mã trường mới'), 'witnesses')
    await user.selectOptions(within(add).getByLabelText('Kiểu dữ liệu'), 'group')
    // The group's own type list has no files, locations or groups.
    await user.click(within(add).getByRole('button', { name: 'Thêm trường' }))
    await user.type(screen.getByLabelText('Số dòng tối đa'), '5')
    const group = screen.getByRole('group', { name: 'Các trường trong nhóm' })
    const addSub = within(group).getByRole('form', { name: 'Thêm trường vào nhóm' })
    const types = within(addSub).getByLabelText<HTMLSelectElement>('Kiểu dữ liệu')
    expect([...types.options].map((option) => option.value)).not.toContain('photo')
    await user.type(within(addSub).getByLabelText('Mã trường mới'), 'phone')
    await user.click(within(addSub).getByRole('button', { name: 'Thêm trường' }))
    await user.click(screen.getByRole('button', { name: 'Lưu' }))
    await waitFor(() => expect(saved).toHaveLength(1))
    const fields = (saved[0].body as { document: { fields: Record<string, unknown>[] } }).document.fields
    expect(fields[2]).toEqual({
      key: 'witnesses',
      type: 'group',
      label: { vi: 'witnesses' },
      max_items: 5,
      fields: [
        { key: 'item', type: 'text', label: { vi: 'Nội dung', en: 'Item' } },
        { key: 'phone', type: 'text', label: { vi: 'phone' } }
      ]
    })
  })

  it('says when the entity does not exist', async () => {
    stubApi(() => undefined)
    render(<EntityEditor appKey="city" definitionKey="nothing" />)
    expect(await screen.findByText('Không tìm thấy thực thể “nothing” trong bản nháp.')).toBeTruthy()
  })
})

function goTo(url: string) {
  history.replaceState(null, '', url)
  window.dispatchEvent(new PopStateEvent('popstate'))
}

describe('EntityEditor deep links', () => {
  const scrolled: Element[] = []
  beforeEach(() => {
    scrolled.length = 0
    Element.prototype.scrollIntoView = vi.fn(function (this: Element) {
      scrolled.push(this)
    })
  })
  afterEach(() => goTo('/builder/'))

  it('opens, scrolls to and focuses the field named by ?field=<key>', async () => {
    serve()
    goTo('/builder/apps/city/entity/report?field=category')
    render(<EntityEditor appKey="city" definitionKey="report" />)
    const toggle = await screen.findByRole('button', { name: /^Loại sự cố/, expanded: true })
    await waitFor(() => expect(document.activeElement).toBe(toggle))
    expect(scrolled).toContain(toggle)
    // Only that field is open.
    expect(screen.getByRole('button', { name: /^Tiêu đề/ }).getAttribute('aria-expanded')).toBe('false')
  })

  it('takes a field index (schema finding paths) and ignores an unknown key', async () => {
    serve()
    goTo('/builder/apps/city/entity/report?field=0')
    const first = render(<EntityEditor appKey="city" definitionKey="report" />)
    const toggle = await screen.findByRole('button', { name: /^Tiêu đề/, expanded: true })
    await waitFor(() => expect(document.activeElement).toBe(toggle))
    first.unmount()

    goTo('/builder/apps/city/entity/report?field=nothing_here')
    render(<EntityEditor appKey="city" definitionKey="report" />)
    await screen.findByRole('button', { name: /^Loại sự cố/ })
    expect(screen.queryAllByRole('button', { expanded: true })).toHaveLength(0)
    expect(scrolled).toHaveLength(1)
  })
})
