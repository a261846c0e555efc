import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import '../messages'
import AppsPage from './AppsPage'
import { apiError, appDetail, stubApi, version } from './testing'

beforeEach(() => {
  history.replaceState(null, '', '/builder/')
  vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined)
})

const list = (results: unknown[]) => ({ count: results.length, next: null, previous: null, results })

describe('AppsPage', () => {
  it('lists the apps with links, latest version and draft state', async () => {
    const unpublished = {
      ...appDetail(),
      id: 'a2',
      key: 'tree_permit',
      label: 'Cấp phép chặt cây',
      description: '',
      versions: [version(null)]
    }
    const calls = stubApi((request) =>
      request.url === '/api/v1/apps/' ? { body: list([appDetail(), unpublished]) } : undefined
    )
    render(<AppsPage />)
    const link = await screen.findByRole('link', { name: 'Phản ánh hiện trường' })
    expect(link.getAttribute('href')).toBe('/builder/apps/field_report')
    expect(screen.getByRole('link', { name: 'Cấp phép chặt cây' }).getAttribute('href')).toBe(
      '/builder/apps/tree_permit'
    )
    const rows = screen.getAllByRole('row')
    expect(within(rows[1]).getByText('Phiên bản 2')).toBeTruthy()
    expect(within(rows[2]).getByText('Chưa phát hành')).toBeTruthy()
    expect(within(rows[2]).getByText('Đang soạn')).toBeTruthy()
    expect(calls[0].headers['Accept-Language']).toBe('vi')
  })

  it('shows the empty state to a user with nothing to build', async () => {
    stubApi((request) => (request.url === '/api/v1/apps/' ? { body: list([]) } : undefined))
    render(<AppsPage />)
    expect(await screen.findByText(/Bạn chưa có ứng dụng nào để xây dựng/)).toBeTruthy()
    expect(screen.queryByRole('table')).toBeNull()
  })

  it('shows a load error with a retry', async () => {
    let fail = true
    stubApi((request) => {
      if (request.url !== '/api/v1/apps/') return undefined
      return fail ? apiError(500, 'server_error', 'Lỗi máy chủ.') : { body: list([appDetail()]) }
    })
    render(<AppsPage />)
    expect((await screen.findByRole('alert')).textContent).toContain('Lỗi máy chủ.')
    fail = false
    await userEvent.click(screen.getByRole('button', { name: 'Thử lại' }))
    expect(await screen.findByRole('link', { name: 'Phản ánh hiện trường' })).toBeTruthy()
  })

  it('validates the key live and explains a taken key (409)', async () => {
    const user = userEvent.setup()
    const calls = stubApi((request) => {
      if (request.url === '/api/v1/apps/' && request.method === 'GET') return { body: list([]) }
      if (request.url === '/api/v1/apps/' && request.method === 'POST') {
        return apiError(409, 'app_exists', 'An app with this key exists.')
      }
      return undefined
    })
    render(<AppsPage />)
    await user.click(await screen.findByRole('button', { name: 'Tạo ứng dụng' }))
    const dialog = screen.getByRole('dialog', { name: 'Tạo ứng dụng mới' })
    const key = within(dialog).getByLabelText('Mã ứng dụng')
    await user.type(key, 'Phan-anh')
    expect(within(dialog).getByText(/Mã chỉ gồm chữ thường không dấu/)).toBeTruthy()
    expect(key.getAttribute('aria-invalid')).toBe('true')
    // Submitting an invalid key sends nothing.
    await user.click(within(dialog).getByRole('button', { name: 'Tạo' }))
    expect(calls.filter((call) => call.method === 'POST')).toHaveLength(0)

    await user.clear(key)
    await user.type(key, 'field_report')
    expect(key.getAttribute('aria-invalid')).toBeNull()
    await user.type(within(dialog).getAllByLabelText('Tiếng Việt')[0], 'Phản ánh')
    await user.type(within(dialog).getAllByLabelText('Tiếng Anh')[0], 'Field report')
    await user.click(within(dialog).getByRole('button', { name: 'Tạo' }))
    expect(await within(dialog).findByText('Đã có ứng dụng mang mã “field_report”. Hãy chọn mã khác.')).toBeTruthy()
    const post = calls.find((call) => call.method === 'POST')
    expect(post?.body).toEqual({ key: 'field_report', label: { vi: 'Phản ánh', en: 'Field report' } })
    expect(post?.headers['X-CSRFToken']).toBeDefined()
  })

  it('creates an app and opens it', async () => {
    const user = userEvent.setup()
    stubApi((request) => {
      if (request.url === '/api/v1/apps/' && request.method === 'GET') return { body: list([]) }
      if (request.url === '/api/v1/apps/' && request.method === 'POST') {
        return { status: 201, body: { ...appDetail(), key: 'tree_permit' } }
      }
      return undefined
    })
    render(<AppsPage />)
    await user.click(await screen.findByRole('button', { name: 'Tạo ứng dụng' }))
    const dialog = screen.getByRole('dialog')
    await user.type(within(dialog).getByLabelText('Mã ứng dụng'), 'tree_permit')
    await user.type(within(dialog).getAllByLabelText('Tiếng Việt')[0], 'Cấp phép chặt cây')
    await user.click(within(dialog).getByRole('button', { name: 'Tạo' }))
    await waitFor(() => expect(location.pathname).toBe('/builder/apps/tree_permit'))
  })

  it('shows per-field errors of a 400', async () => {
    const user = userEvent.setup()
    stubApi((request) => {
      if (request.method === 'GET') return { body: list([]) }
      return apiError(400, 'invalid', 'Dữ liệu không hợp lệ.', { label: { en: ['Quá dài.'] } })
    })
    render(<AppsPage />)
    await user.click(await screen.findByRole('button', { name: 'Tạo ứng dụng' }))
    const dialog = screen.getByRole('dialog')
    await user.type(within(dialog).getByLabelText('Mã ứng dụng'), 'tree_permit')
    await user.type(within(dialog).getAllByLabelText('Tiếng Việt')[0], 'Cây')
    await user.click(within(dialog).getByRole('button', { name: 'Tạo' }))
    const alert = await within(dialog).findByRole('alert')
    expect(alert.textContent).toContain('Dữ liệu không hợp lệ.')
    expect(alert.textContent).toContain('label.en: Quá dài.')
  })

  it('uploads a bundle and shows the findings when the import is refused', async () => {
    const user = userEvent.setup()
    const calls = stubApi((request) => {
      if (request.method === 'GET') return { body: list([]) }
      return apiError(400, 'definition_invalid', 'Gói ứng dụng không hợp lệ.', [
        {
          code: 'unknown_field',
          message: 'Trường “abc” không có trong đối tượng.',
          path: 'forms/report_form/steps/0',
          severity: 'error',
          params: {}
        }
      ])
    })
    render(<AppsPage />)
    await user.click(await screen.findByRole('button', { name: 'Nhập ứng dụng' }))
    const dialog = screen.getByRole('dialog', { name: 'Nhập gói ứng dụng' })
    await user.click(within(dialog).getByRole('button', { name: 'Nhập' }))
    expect(within(dialog).getByText('Hãy chọn tệp gói ứng dụng.')).toBeTruthy()
    const file = new File(['{"format_version": 1}'], 'field_report-v2.json', { type: 'application/json' })
    await user.upload(within(dialog).getByLabelText('Tệp gói ứng dụng (.json)'), file)
    await user.click(within(dialog).getByLabelText('Phát hành ngay sau khi nhập'))
    await user.type(within(dialog).getByLabelText('Ghi chú thay đổi'), 'Chuyển từ máy thử')
    await user.click(within(dialog).getByRole('button', { name: 'Nhập' }))
    const alert = await within(dialog).findByRole('alert')
    expect(alert.textContent).toContain('Gói ứng dụng không hợp lệ.')
    expect(alert.textContent).toContain('Trường “abc” không có trong đối tượng.')
    const post = calls.find((call) => call.method === 'POST')
    expect(post?.url).toBe('/api/v1/apps/import/')
    const form = post?.body as FormData
    expect(form).toBeInstanceOf(FormData)
    expect((form.get('file') as File).name).toBe('field_report-v2.json')
    expect(form.get('publish')).toBe('false')
    expect(form.get('note')).toBe('Chuyển từ máy thử')
  })
})
