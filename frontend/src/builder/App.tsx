// The builder's frame: header (title, language switch, links out), then the page the
// route names. Each page lives in its area's folder and is loaded here by route name.
import { type ReactNode, useEffect, useRef } from 'react'
import { csrfToken } from './api'
import './messages'
import AppPage from './apps/AppPage'
import AppsPage from './apps/AppsPage'
import EntityEditor from './editors/EntityEditor'
import FormEditor from './editors/FormEditor'
import { type Language, setLanguage, t, useLanguage } from './i18n'
import { Link, useRoute } from './router'
import TestsPage from './tests/TestsPage'
import WorkflowEditor from './workflow/WorkflowEditor'

export interface PageContext {
  /** The signed-in user's name. */
  user: string
  /** Where "log out" posts (Django's logout view). */
  logoutUrl: string
  workspaceUrl: string
}

/** After an in-app navigation, focus goes to the new page's main heading (as a page load
 * would put screen readers at the top): pages draw it once their data has loaded, so look
 * for it for a moment. The first page load leaves focus alone. */
function useFocusOnNavigation(path: string): void {
  const first = useRef(true)
  useEffect(() => {
    if (first.current) {
      first.current = false
      return
    }
    let tries = 0
    let timer = 0
    const look = () => {
      const heading = document.querySelector<HTMLElement>('main h1')
      if (heading) {
        if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1')
        heading.focus({ preventScroll: true })
      } else if (tries++ < 20) {
        timer = window.setTimeout(look, 50)
      }
    }
    look()
    return () => window.clearTimeout(timer)
  }, [path])
}

function Page(): ReactNode {
  const route = useRoute()
  useFocusOnNavigation(`${route.name}/${route.params.app ?? ''}/${route.params.key ?? ''}`)
  const { app = '', key = '' } = route.params
  switch (route.name) {
    case 'apps':
      return <AppsPage />
    case 'app':
      return <AppPage appKey={app} />
    case 'tests':
      return <TestsPage appKey={app} />
    case 'entity':
      return <EntityEditor key={`${app}/${key}`} appKey={app} definitionKey={key} />
    case 'form':
      return <FormEditor key={`${app}/${key}`} appKey={app} definitionKey={key} />
    case 'workflow':
      return <WorkflowEditor key={`${app}/${key}`} appKey={app} definitionKey={key} />
    default:
      return (
        <main id="main" className="page">
          <h1>{t('common.not_found')}</h1>
          <Link to="/">{t('shell.apps')}</Link>
        </main>
      )
  }
}

export default function App({ context }: { context: PageContext }) {
  const language = useLanguage()
  useEffect(() => {
    document.title = `${t('shell.title')} · LCNC`
  }, [language])
  return (
    <>
      <a className="skip" href="#main">
        {t('shell.skip')}
      </a>
      <header className="shell">
        <Link to="/" className="brand">
          LCNC · {t('shell.title')}
        </Link>
        <nav aria-label={t('shell.title')}>
          <Link to="/">{t('shell.apps')}</Link>
          <a href={context.workspaceUrl}>{t('shell.workspace')}</a>
        </nav>
        <div className="shell-tools">
          <label>
            <span className="visually-hidden">{t('shell.language')}</span>
            <select
              value={language}
              aria-label={t('shell.language')}
              onChange={(event) => setLanguage(event.target.value as Language)}
            >
              <option value="vi" lang="vi">
                Tiếng Việt
              </option>
              <option value="en" lang="en">
                English
              </option>
            </select>
          </label>
          <span className="user">{context.user}</span>
          <form method="post" action={context.logoutUrl} className="logout">
            <input type="hidden" name="csrfmiddlewaretoken" value={csrfToken()} />
            <button type="submit">{t('shell.logout')}</button>
          </form>
        </div>
      </header>
      <Page />
    </>
  )
}
