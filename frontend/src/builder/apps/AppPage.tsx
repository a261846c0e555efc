// One app (/builder/apps/:app): its name, then tabs — the draft's definitions, check &
// publish, and the published versions (compare, restore, export).
import { useState } from 'react'
import { useAsync } from '../hooks'
import { t, useLanguage } from '../i18n'
import { Link } from '../router'
import { ErrorMessage, Loading, Tabs } from '../ui'
import './apps.css'
import DefinitionsTab from './DefinitionsTab'
import './messages'
import { loadApp } from './model'
import PublishTab from './PublishTab'
import VersionsTab from './VersionsTab'


type TabId = 'definitions' | 'publish' | 'versions'

export default function AppPage({ appKey }: { appKey: string }) {
  // Names come in the request's language: fetch them again after a language switch.
  const language = useLanguage()
  const app = useAsync((signal) => loadApp(appKey, signal), [appKey, language])
  const [tab, setTab] = useState<TabId>('definitions')
  const detail = app.data

  const tabs = [
    { id: 'definitions', label: t('app.tab_definitions') },
    { id: 'publish', label: t('app.tab_publish') },
    { id: 'versions', label: t('app.tab_versions') }
  ]

  return (
    <main id="main" className="page app-page">
      <nav className="breadcrumbs" aria-label={t('app.breadcrumb')}>
        <Link to="/">{t('app.breadcrumb')}</Link> / <span>{appKey}</span>
      </nav>
      <div className="app-head">
        <h1>{detail ? detail.label || detail.key : appKey}</h1>
        {detail && (
          <p className="muted">
            <code>{detail.key}</code>
            {detail.description && <> · {detail.description}</>}
          </p>
        )}
      </div>
      {app.loading && !detail && <Loading />}
      <ErrorMessage error={app.error} onRetry={app.reload} onReload={app.reload} />
      {detail && (
        <>
          <Tabs tabs={tabs} current={tab} onSelect={(id) => setTab(id as TabId)} label={t('app.tabs')} />
          <section role="tabpanel" aria-labelledby={`tab-${tab}`} className="tab-panel" tabIndex={0}>
            {tab === 'definitions' && (
              <DefinitionsTab app={detail} onChanged={app.setData} reload={app.reload} />
            )}
            {tab === 'publish' && <PublishTab app={detail} reload={app.reload} />}
            {tab === 'versions' && <VersionsTab app={detail} onChanged={app.setData} reload={app.reload} />}
          </section>
        </>
      )}
    </main>
  )
}
