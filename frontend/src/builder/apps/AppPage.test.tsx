import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import '../messages'
import { starterWorkflow } from '../starters'
import AppPage from './AppPage'
import { type Recorded, apiError, appDetail, stubApi } from './testing'

beforeEach(() => {
  history.replaceState(null, '', '/builder/apps/field_report')
  vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined)
})

const APP = '/api/v1/apps/field_report/'
const getApp = (request: Recorded, extra: Record<string, unknown> = {}) =>
  request.method === 'GET' && request.url === APP ? { body: appDetail(extra), etag: 'rev1' } : undefined

describe('AppPage — definitions', () => {
  it('lists the draft definitions with links to their editors', async () => {
    stubApi((request) => getApp(request))
    render(<AppPage appKey="field_report" />)
    expect(await screen.findByRole('heading', { level: 1, name: 'Phản ánh hiện trường' })).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Phản ánh' }).getAttribute('href')).toBe(
      '/builder/apps/field_report/entity/report'
    )
    expect(screen.getByRole('link', { name: 'Gửi phản ánh' }).getAttribute('href')).toBe(
      '/builder/apps/field_report/form/report_form'
    )
    expect(screen.getByRole('link', { name: 'Xử lý phản ánh' }).getAttribute('href')).toBe(
      '/builder/apps/field_report/workflow/report_flow'
    )
    expect(screen.getByRole('link', { name: 'Xử lý xong' }).getAttribute('href')).toBe(
      '/builder/apps/field_report/tests'
    )
  })

  it('creates a workflow from the starter document with the draft revision', async () => {
    const user = userEvent.setup()
    const calls = stubApi((request) => {
      if (request.method === 'PUT') {
        return {
          status: 201,
          etag: 'rev2',
          body: { kind: 'workflow', key: 'appeal_flow', label: 'Khiếu nại', content_hash: 'h', document: {}, revision: 'rev2' }
        }
      }
      return getApp(request)
    })
    render(<AppPage appKey="field_report" />)
    await user.click(await screen.findByRole('button', { name: 'Quy trình mới' }))
    const dialog = screen.getByRole('dialog', { name: 'Tạo quy trình' })
    const key = within(dialog).getByLabelText('Mã')
    await user.type(key, 'report_flow')
    expect(within(dialog).getByText('Mã này đã được dùng cho một định nghĩa cùng loại.')).toBeTruthy()
    await user.clear(key)
    await user.type(key, 'appeal_flow')
    await user.type(within(dialog).getByLabelText('Tiếng Việt'), 'Khiếu nại')
    expect((within(dialog).getByLabelText<HTMLSelectElement>('Đối tượng dữ liệu')).value).toBe('report')
    await user.click(within(dialog).getByRole('button', { name: 'Tạo' }))
    await waitFor(() => expect(location.pathname).toBe('/builder/apps/field_report/workflow/appeal_flow'))
    const put = calls.find((call) => call.method === 'PUT')
    expect(put?.url).toBe('/api/v1/apps/field_report/definitions/workflow/appeal_flow/')
    expect(put?.headers['If-Match']).toBe('"rev1"')
    expect(put?.body).toEqual({ document: starterWorkflow('appeal_flow', { vi: 'Khiếu nại' }, 'report') })
  })

  it('shows the conflict text and Reload when a delete meets a newer draft (409)', async () => {
    const user = userEvent.setup()
    vi.spyOn(window, 'confirm').mockReturnValue(true)
    let loads = 0
    const calls = stubApi((request) => {
      if (request.method === 'DELETE') {
        return apiError(409, 'stale_revision', 'The draft changed.', { revision: 'rev9' })
      }
      const answer = getApp(request)
      if (answer) loads++
      return answer
    })
    render(<AppPage appKey="field_report" />)
    await user.click(await screen.findByRole('button', { name: 'Xóa Gửi phản ánh' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('Bản nháp vừa được người khác lưu')
    const del = calls.find((call) => call.method === 'DELETE')
    expect(del?.url).toBe('/api/v1/apps/field_report/definitions/form/report_form/')
    expect(del?.headers['If-Match']).toBe('"rev1"')
    expect(loads).toBe(1)
    await user.click(within(alert).getByRole('button', { name: 'Tải lại' }))
    await waitFor(() => expect(loads).toBe(2))
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull())
  })

  it('deletes a definition after confirmation and shows the new draft', async () => {
    const user = userEvent.setup()
    vi.spyOn(window, 'confirm').mockReturnValue(true)
    let deleted = false
    stubApi((request) => {
      if (request.method === 'DELETE') {
        deleted = true
        return { body: { revision: 'rev2', definitions: [] }, etag: 'rev2' }
      }
      if (request.method === 'GET' && request.url === APP) {
        const detail = appDetail()
        const definitions = detail.draft.definitions.filter((d) => !deleted || d.key !== 'report_form')
        return { body: { ...detail, draft: { ...detail.draft, definitions } }, etag: deleted ? 'rev2' : 'rev1' }
      }
      return undefined
    })
    render(<AppPage appKey="field_report" />)
    await user.click(await screen.findByRole('button', { name: 'Xóa Gửi phản ánh' }))
    expect(await screen.findByText('Đã xóa “Gửi phản ánh” khỏi bản nháp.')).toBeTruthy()
    expect(screen.queryByRole('link', { name: 'Gửi phản ánh' })).toBeNull()
  })

  it('moves between tabs with the arrow keys', async () => {
    const user = userEvent.setup()
    stubApi((request) => getApp(request))
    render(<AppPage appKey="field_report" />)
    const first = await screen.findByRole('tab', { name: 'Định nghĩa' })
    first.focus()
    await user.keyboard('{ArrowRight}')
    const publish = screen.getByRole('tab', { name: 'Kiểm tra & phát hành' })
    expect(publish.getAttribute('aria-selected')).toBe('true')
    expect(document.activeElement).toBe(publish)
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe('tab-publish')
  })
})

describe('AppPage — check & publish', () => {
  it('groups the check findings by definition', async () => {
    const user = userEvent.setup()
    stubApi((request) => {
      if (request.url === `${APP}validate/`) {
        return {
          body: {
            revision: 'rev1',
            valid: false,
            findings: [
              { code: 'unreachable', message: 'Bước “duyệt” không đến được.', path: 'workflows/report_flow/nodes/approve', severity: 'error', params: {} },
              { code: 'no_title', message: 'Nên có trường tiêu đề.', path: 'entities/report', severity: 'warning', params: {} }
            ]
          }
        }
      }
      return getApp(request)
    })
    render(<AppPage appKey="field_report" />)
    await user.click(await screen.findByRole('tab', { name: 'Kiểm tra & phát hành' }))
    await user.click(screen.getByRole('button', { name: 'Kiểm tra' }))
    expect(await screen.findByText('Có 1 lỗi phải sửa trước khi phát hành.')).toBeTruthy()
    const flow = screen.getByRole('heading', { name: 'Quy trình · Xử lý phản ánh' })
    expect(within(flow).getByRole('link').getAttribute('href')).toBe('/builder/apps/field_report/workflow/report_flow')
    expect(screen.getByText('Bước “duyệt” không đến được.')).toBeTruthy()
    expect(screen.getByRole('heading', { name: 'Đối tượng dữ liệu · Phản ánh' })).toBeTruthy()
    // Each finding links to where it can be fixed: the step in the workflow editor, the entity editor.
    expect(screen.getByRole('link', { name: 'Mở bước approve' }).getAttribute('href')).toBe(
      '/builder/apps/field_report/workflow/report_flow?node=approve'
    )
    expect(screen.getByRole('link', { name: 'Mở để sửa' }).getAttribute('href')).toBe(
      '/builder/apps/field_report/entity/report'
    )
  })

  it('runs the saved tests and lists failures', async () => {
    const user = userEvent.setup()
    stubApi((request) => {
      if (request.url === `${APP}tests/run/`) {
        return {
          body: {
            passed: false,
            results: [
              { key: 'happy_path', label: 'Xử lý xong', ok: true, result: {} },
              {
                key: 'reject',
                label: 'Từ chối',
                ok: false,
                result: { errors: [], expectations: [{ what: 'status', expected: 'rejected', actual: 'open', ok: false }] }
              }
            ]
          }
        }
      }
      return getApp(request)
    })
    render(<AppPage appKey="field_report" />)
    await user.click(await screen.findByRole('tab', { name: 'Kiểm tra & phát hành' }))
    await user.click(screen.getByRole('button', { name: 'Chạy các ca kiểm thử' }))
    expect(await screen.findByText('Đạt 1/2 ca kiểm thử.')).toBeTruthy()
    expect(screen.getByText('Không đạt')).toBeTruthy()
    expect(screen.getByText('"rejected"')).toBeTruthy()
  })

  it('shows the findings when publishing is refused, then publishes', async () => {
    const user = userEvent.setup()
    let refuse = true
    const calls = stubApi((request) => {
      if (request.url === `${APP}publish/`) {
        if (refuse) {
          return apiError(400, 'definition_invalid', 'Bản nháp còn lỗi.', [
            { code: 'join_never', message: 'Nhánh song song không bao giờ hợp lại.', path: 'workflows/report_flow/nodes/join', severity: 'error', params: {} }
          ])
        }
        return { status: 201, body: { id: 'v3', number: 3, status: 'published', label: '', note: 'Sửa lỗi', created_at: '', published_at: '' } }
      }
      return getApp(request)
    })
    render(<AppPage appKey="field_report" />)
    await user.click(await screen.findByRole('tab', { name: 'Kiểm tra & phát hành' }))
    await user.click(screen.getByRole('button', { name: 'Phát hành…' }))
    const dialog = screen.getByRole('dialog', { name: 'Phát hành bản nháp' })
    await user.type(within(dialog).getByLabelText('Ghi chú thay đổi'), 'Sửa lỗi')
    await user.click(within(dialog).getByRole('button', { name: 'Phát hành' }))
    const alert = await within(dialog).findByRole('alert')
    expect(alert.textContent).toContain('Chưa phát hành được: bản nháp còn lỗi.')
    expect(alert.textContent).toContain('Nhánh song song không bao giờ hợp lại.')
    expect(within(alert).getByRole('heading', { name: 'Quy trình · Xử lý phản ánh' })).toBeTruthy()
    const post = calls.find((call) => call.url === `${APP}publish/`)
    expect(post?.body).toEqual({ note: 'Sửa lỗi', revision: 'rev1' })

    refuse = false
    await user.click(within(dialog).getByRole('button', { name: 'Phát hành' }))
    expect(await screen.findByText('Đã phát hành phiên bản 3.')).toBeTruthy()
  })

  it('refreshes the check, the test run and the app after publishing', async () => {
    const user = userEvent.setup()
    let published = false
    const calls = stubApi((request) => {
      if (request.url === `${APP}validate/`) {
        return {
          body: {
            revision: published ? 'rev2' : 'rev1',
            valid: true,
            findings: published
              ? []
              : [{ code: 'no_title', message: 'Nên có trường tiêu đề.', path: 'entities/report', severity: 'warning', params: {} }]
          }
        }
      }
      if (request.url === `${APP}tests/run/`) {
        return {
          body: published
            ? { passed: true, results: [{ key: 'happy_path', label: 'Xử lý xong', ok: true, result: {} }] }
            : { passed: false, results: [{ key: 'reject', label: 'Từ chối', ok: false, result: {} }] }
        }
      }
      if (request.url === `${APP}publish/`) {
        published = true
        return { status: 201, body: { id: 'v3', number: 3, status: 'published', label: '', note: '', created_at: '', published_at: '' } }
      }
      return getApp(request)
    })
    render(<AppPage appKey="field_report" />)
    await user.click(await screen.findByRole('tab', { name: 'Kiểm tra & phát hành' }))
    await user.click(screen.getByRole('button', { name: 'Kiểm tra' }))
    expect(await screen.findByText('Nên có trường tiêu đề.')).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Chạy các ca kiểm thử' }))
    expect(await screen.findByText('Đạt 0/1 ca kiểm thử.')).toBeTruthy()
    const appLoads = calls.filter((call) => call.method === 'GET' && call.url === APP).length

    await user.click(screen.getByRole('button', { name: 'Phát hành…' }))
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Phát hành' }))
    expect(await screen.findByText('Đã phát hành phiên bản 3.')).toBeTruthy()
    expect(await screen.findByText('Không có lỗi: bản nháp có thể phát hành.')).toBeTruthy()
    expect(await screen.findByText('Đạt 1/1 ca kiểm thử.')).toBeTruthy()
    expect(screen.queryByText('Nên có trường tiêu đề.')).toBeNull()
    expect(screen.queryByText('Đạt 0/1 ca kiểm thử.')).toBeNull()
    expect(calls.filter((call) => call.url === `${APP}validate/`)).toHaveLength(2)
    expect(calls.filter((call) => call.method === 'GET' && call.url === APP).length).toBeGreaterThan(appLoads)
  })

  it('names a failing saved test as the reason publishing was refused', async () => {
    const user = userEvent.setup()
    stubApi((request) => {
      if (request.url === `${APP}publish/`) {
        return apiError(400, 'tests_failed', 'Ca kiểm thử “Từ chối” không đạt.', [
          { code: 'test_failed', message: 'Ca kiểm thử “Từ chối” không đạt.', path: 'tests[happy_path]', severity: 'error', params: { test: 'happy_path' } }
        ])
      }
      return getApp(request)
    })
    render(<AppPage appKey="field_report" />)
    await user.click(await screen.findByRole('tab', { name: 'Kiểm tra & phát hành' }))
    await user.click(screen.getByRole('button', { name: 'Phát hành…' }))
    const dialog = screen.getByRole('dialog')
    await user.click(within(dialog).getByRole('button', { name: 'Phát hành' }))
    const alert = await within(dialog).findByRole('alert')
    expect(alert.textContent).toContain('Chưa phát hành được: có ca kiểm thử không đạt.')
    // The failing test (path "tests[happy_path]", as the server writes it) links to the tests page.
    expect(within(alert).getByRole('heading', { name: 'Ca kiểm thử · Xử lý xong' })).toBeTruthy()
    expect(within(alert).getByRole('link', { name: 'Mở để sửa' }).getAttribute('href')).toBe(
      '/builder/apps/field_report/tests?test=happy_path'
    )
  })

  it('hides publishing from a user who may not publish', async () => {
    const user = userEvent.setup()
    stubApi((request) => getApp(request, { can_publish: false }))
    render(<AppPage appKey="field_report" />)
    await user.click(await screen.findByRole('tab', { name: 'Kiểm tra & phát hành' }))
    expect(screen.getByText('Bạn không có quyền phát hành ứng dụng này.')).toBeTruthy()
    expect(screen.queryByRole('button', { name: 'Phát hành…' })).toBeNull()
  })
})

describe('AppPage — versions', () => {
  it('lists versions and renders a diff readably', async () => {
    const user = userEvent.setup()
    const calls = stubApi((request) => {
      if (request.url.startsWith(`${APP}diff/`)) {
        return {
          body: {
            from_version: '1',
            to_version: 'draft',
            app: { added: [], removed: [], changed: [] },
            added: [{ kind: 'form', key: 'appeal_form' }],
            removed: [{ kind: 'workflow', key: 'old_flow' }],
            changed: [
              {
                kind: 'workflow',
                key: 'report_flow',
                added: [{ path: 'nodes[notify]', value: { id: 'notify', type: 'notify' } }],
                removed: [{ path: 'nodes[triage].sla', value: 'P2D' }],
                changed: [
                  { path: 'nodes[approve].assignment.agency', before: 'phuong_1', after: 'quan_1' },
                  { path: 'label', before: { vi: 'Cũ' }, after: { vi: 'x'.repeat(200) } }
                ]
              }
            ]
          }
        }
      }
      return getApp(request)
    })
    render(<AppPage appKey="field_report" />)
    await user.click(await screen.findByRole('tab', { name: 'Phiên bản' }))
    const rows = screen.getAllByRole('row')
    expect(within(rows[1]).getByRole('rowheader').textContent).toBe('Phiên bản 2')
    expect(within(rows[1]).getByText('4')).toBeTruthy()
    expect(within(rows[1]).getByText('Ghi chú 2')).toBeTruthy()

    await user.selectOptions(screen.getByLabelText('Từ'), '1')
    await user.selectOptions(screen.getByLabelText('Đến'), 'draft')
    await user.click(screen.getByRole('button', { name: 'So sánh' }))
    expect(await screen.findByText('Thay đổi từ Phiên bản 1 đến Bản nháp')).toBeTruthy()
    expect(calls.some((call) => call.url === `${APP}diff/?from=1&to=draft`)).toBe(true)
    expect(screen.getByText(/Biểu mẫu · appeal_form/)).toBeTruthy()
    expect(screen.getByText(/Quy trình · old_flow/)).toBeTruthy()
    const table = screen.getByRole('table', { name: 'Quy trình · Xử lý phản ánh (report_flow)' })
    const pathRows = within(table).getAllByRole('row').slice(1)
    expect(pathRows).toHaveLength(4)
    expect(pathRows[0].textContent).toContain('Thêm')
    expect(pathRows[0].textContent).toContain('nodes[notify]')
    expect(pathRows[0].textContent).toContain('{"id":"notify","type":"notify"}')
    expect(pathRows[1].textContent).toContain('Xóa')
    expect(pathRows[1].textContent).toContain('"P2D"')
    expect(pathRows[2].textContent).toContain('nodes[approve].assignment.agency')
    expect(pathRows[2].textContent).toContain('"phuong_1"')
    expect(pathRows[2].textContent).toContain('"quan_1"')
    // A long value folds away behind "Show in full".
    expect(within(pathRows[3]).getByText('Xem đầy đủ')).toBeTruthy()
  })

  it('refuses to compare a version with itself', async () => {
    const user = userEvent.setup()
    const calls = stubApi((request) => getApp(request))
    render(<AppPage appKey="field_report" />)
    await user.click(await screen.findByRole('tab', { name: 'Phiên bản' }))
    await user.selectOptions(screen.getByLabelText('Từ'), 'draft')
    await user.click(screen.getByRole('button', { name: 'So sánh' }))
    expect(await screen.findByText('Hãy chọn hai phiên bản khác nhau.')).toBeTruthy()
    expect(calls.some((call) => call.url.includes('diff'))).toBe(false)
  })

  it('restores a version into the draft with the revision', async () => {
    const user = userEvent.setup()
    vi.spyOn(window, 'confirm').mockReturnValue(true)
    const calls = stubApi((request) => {
      if (request.url === `${APP}versions/1/restore/`) return { body: appDetail(), etag: 'rev5' }
      return getApp(request)
    })
    render(<AppPage appKey="field_report" />)
    await user.click(await screen.findByRole('tab', { name: 'Phiên bản' }))
    await user.click(screen.getByRole('button', { name: 'Khôi phục phiên bản 1 vào bản nháp' }))
    expect(await screen.findByText(/Đã khôi phục phiên bản 1 vào bản nháp/)).toBeTruthy()
    const post = calls.find((call) => call.url === `${APP}versions/1/restore/`)
    expect(post?.method).toBe('POST')
    expect(post?.headers['If-Match']).toBe('"rev1"')
  })

  it('exports a version as a file named by the server', async () => {
    const user = userEvent.setup()
    const created: Blob[] = []
    vi.stubGlobal('URL', Object.assign(URL, {
      createObjectURL: (blob: Blob) => {
        created.push(blob)
        return 'blob:bundle'
      },
      revokeObjectURL: () => undefined
    }))
    const clicked: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download)
    })
    stubApi((request) => {
      if (request.url === `${APP}export/?version=2`) {
        return {
          body: { format_version: 1, app: { key: 'field_report' } },
          headers: { 'Content-Disposition': 'attachment; filename="field_report-v2.json"' }
        }
      }
      return getApp(request)
    })
    render(<AppPage appKey="field_report" />)
    await user.click(await screen.findByRole('tab', { name: 'Phiên bản' }))
    await user.click(screen.getByRole('button', { name: 'Xuất Phiên bản 2' }))
    await waitFor(() => expect(clicked).toEqual(['field_report-v2.json']))
    expect(JSON.parse(await created[0].text())).toEqual({ format_version: 1, app: { key: 'field_report' } })
  })
})
