// Names of apps and definitions come from the server in the request's language
// (Accept-Language): switching the builder's language must fetch them again.
import { act, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import '../messages'
import { setLanguage } from '../i18n'
import TestsPage from '../tests/TestsPage'
import AppPage from './AppPage'
import AppsPage from './AppsPage'
import { type Recorded, appDetail, stubApi } from './testing'

beforeEach(() => {
  setLanguage('vi')
  vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined)
})
afterEach(() => {
  setLanguage('vi')
})

const APP = '/api/v1/apps/field_report/'

function localized(request: Recorded) {
  const english = request.headers['Accept-Language'] === 'en'
  const detail = appDetail({ label: english ? 'Field reports' : 'Phản ánh hiện trường' })
  const definitions = detail.draft.definitions.map((item) =>
    item.key === 'report_flow' ? { ...item, label: english ? 'Report handling' : 'Xử lý phản ánh' } : item
  )
  return { ...detail, draft: { ...detail.draft, definitions } }
}

function answer(request: Recorded) {
  if (request.method !== 'GET') return undefined
  if (request.url === APP) return { body: localized(request), etag: 'rev1' }
  if (request.url === '/api/v1/apps/') return { body: [localized(request)] }
  return undefined
}

describe('switching the language', () => {
  it('shows the app list with the names in the new language', async () => {
    stubApi(answer)
    render(<AppsPage />)
    expect(await screen.findByRole('link', { name: 'Phản ánh hiện trường' })).toBeTruthy()
    act(() => setLanguage('en'))
    expect(await screen.findByRole('link', { name: 'Field reports' })).toBeTruthy()
  })

  it('shows the app page with the names in the new language', async () => {
    history.replaceState(null, '', '/builder/apps/field_report')
    stubApi(answer)
    render(<AppPage appKey="field_report" />)
    expect(await screen.findByRole('link', { name: 'Xử lý phản ánh' })).toBeTruthy()
    act(() => setLanguage('en'))
    expect(await screen.findByRole('heading', { level: 1, name: 'Field reports' })).toBeTruthy()
    expect(await screen.findByRole('link', { name: 'Report handling' })).toBeTruthy()
  })

  it('shows the test page with the app name in the new language', async () => {
    history.replaceState(null, '', '/builder/apps/field_report/tests')
    stubApi(answer)
    render(<TestsPage appKey="field_report" />)
    expect(await screen.findByRole('link', { name: 'Phản ánh hiện trường' })).toBeTruthy()
    act(() => setLanguage('en'))
    expect(await screen.findByRole('link', { name: 'Field reports' })).toBeTruthy()
  })
})
