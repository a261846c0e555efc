// /builder/apps/:app/tests — "Test before publishing": the draft's saved test cases, "run
// all" with a badge per test, and the editor of one test case (?test=<key>, or ?new=1)
// with its simulation.
import { Fragment, useCallback, useState } from 'react'
import { api, appPath } from '../api'
import { useAsync } from '../hooks'
import { label, t, useLanguage } from '../i18n'
import { Link, navigate, useRoute } from '../router'
import { ErrorMessage, Loading } from '../ui'
import './messages'
import { type AppDetail, type RunAllResult, runTestsPath } from './model'
import SimulationView from './SimulationView'
import TestEditor, { explain } from './TestEditor'
import './tests.css'

export default function TestsPage({ appKey }: { appKey: string }) {
  // Names come in the request's language: fetch them again after a language switch.
  const language = useLanguage()
  const route = useRoute()
  const app = useAsync(
    async (signal) => (await api<AppDetail>('GET', appPath(appKey), { signal })).data,
    [appKey, language]
  )
  const [runAll, setRunAll] = useState<RunAllResult | undefined>(undefined)
  const [running, setRunning] = useState(false)
  const [runError, setRunError] = useState<unknown>(undefined)
  // A new test keeps its editor (and its simulation) once saved under its key.
  const [aliases, setAliases] = useState<Record<string, string>>({})

  const selected = route.query.get('test') ?? (route.query.has('new') ? '' : undefined)
  const editorKey = selected === undefined ? undefined : (aliases[selected] ?? (selected || 'new'))
  const base = `/apps/${appKey}/tests`

  const definitions = app.data?.draft.definitions ?? []
  const tests = definitions.filter((item) => item.kind === 'test')
  const workflows = definitions.filter((item) => item.kind === 'workflow')

  async function runTests() {
    setRunning(true)
    setRunError(undefined)
    try {
      setRunAll((await api<RunAllResult>('POST', runTestsPath(appKey))).data)
    } catch (error) {
      setRunAll(undefined)
      setRunError(explain(error))
    } finally {
      setRunning(false)
    }
  }

  const reloadApp = app.reload
  const onSaved = useCallback(
    (key: string) => {
      if (selected !== key) {
        setAliases((current) => ({ ...current, [key]: editorKey ?? 'new' }))
        navigate(`${base}?test=${encodeURIComponent(key)}`, { replace: true })
      }
      setRunAll(undefined)
      reloadApp()
    },
    [base, editorKey, reloadApp, selected]
  )
  const onDeleted = useCallback(() => {
    setRunAll(undefined)
    navigate(base, { replace: true })
    reloadApp()
  }, [base, reloadApp])

  const results = new Map((runAll?.results ?? []).map((item) => [item.key, item]))
  const failed = runAll?.results.filter((item) => !item.ok).length ?? 0

  return (
    <main id="main" className="page tests-page">
      <nav className="breadcrumbs" aria-label={t('tests.back_to_app')}>
        <Link to="/">{t('shell.apps')}</Link> › <Link to={`/apps/${appKey}/`}>{app.data?.label || appKey}</Link> ›{' '}
        <span aria-current="page">{t('tests.title')}</span>
      </nav>
      <h1>{t('tests.title')}</h1>
      <p className="tests-intro">{t('tests.intro')}</p>

      {app.error && <ErrorMessage error={app.error} onRetry={app.reload} />}
      {!app.data && app.loading && <Loading />}

      {app.data && (
        <>
          <section className="tests-list" aria-labelledby="tests-saved-h">
            <div className="toolbar">
              <h2 id="tests-saved-h">{t('tests.saved')}</h2>
              <span className="spacer" />
              <button type="button" onClick={() => void runTests()} disabled={running || tests.length === 0}>
                {t('tests.run_all')}
              </button>
              {workflows.length > 0 && (
                <Link to={`${base}?new=1`} className="button primary">
                  {t('tests.new')}
                </Link>
              )}
            </div>
            <div className="tests-summary" role="status" aria-live="polite">
              {running && <Loading text={t('tests.running')} />}
              {!running && runAll && (
                <p className={`notice ${runAll.passed ? '' : 'tests-notice-fail'}`}>
                  {runAll.results.length === 0
                    ? t('tests.summary_empty')
                    : runAll.passed
                      ? t('tests.summary_ok', { total: runAll.results.length })
                      : t('tests.summary_fail', { failed, total: runAll.results.length })}
                </p>
              )}
            </div>
            <ErrorMessage error={runError} onRetry={() => void runTests()} />
            {workflows.length === 0 && <p className="tests-muted">{t('tests.no_workflows')}</p>}
            {tests.length === 0 ? (
              <p className="tests-muted">{t('tests.none')}</p>
            ) : (
              <table className="list tests-table" aria-labelledby="tests-saved-h">
                <thead>
                  <tr>
                    <th scope="col">{t('tests.col_name')}</th>
                    <th scope="col">{t('common.key')}</th>
                    <th scope="col">{t('tests.col_result')}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t('common.edit')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {tests.map((test) => {
                    const outcome = results.get(test.key)
                    const name = label(test.label, test.key)
                    return (
                      <Fragment key={test.key}>
                      <tr aria-current={editorKey === test.key ? 'true' : undefined}>
                        <td>{name}</td>
                        <td>
                          <code>{test.key}</code>
                        </td>
                        <td>
                          {outcome ? (
                            <span className={`tests-badge ${outcome.ok ? 'ok' : 'fail'}`}>
                              {outcome.ok ? t('tests.pass') : t('tests.fail')}
                            </span>
                          ) : (
                            <span className="tests-badge none">{t('tests.not_run')}</span>
                          )}
                        </td>
                        <td>
                          <Link
                            to={`${base}?test=${encodeURIComponent(test.key)}`}
                            aria-label={t('tests.edit_named', { name })}
                          >
                            {t('common.edit')}
                          </Link>
                        </td>
                      </tr>
                      {outcome && !outcome.ok && (
                        <tr className="tests-detail-row">
                          <td colSpan={4}>
                            <details className="tests-details">
                              <summary>{t('tests.details_of', { name })}</summary>
                              <SimulationView result={outcome.result} />
                            </details>
                          </td>
                        </tr>
                      )}
                      </Fragment>
                    )
                  })}
                </tbody>
              </table>
            )}
          </section>

          {editorKey !== undefined && (
            <TestEditor
              key={editorKey}
              appKey={appKey}
              testKey={selected || undefined}
              workflows={workflows}
              existingKeys={tests.map((item) => item.key)}
              onSaved={onSaved}
              onDeleted={onDeleted}
            />
          )}
        </>
      )}
    </main>
  )
}
