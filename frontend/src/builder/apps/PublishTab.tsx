// Check & publish: every finding on the draft grouped by definition, the saved test
// cases' results, and the publish dialog (change note + draft revision).
import { type FormEvent, useId, useState } from 'react'
import { ApiError, type Finding, type VersionSummary, api, appPath } from '../api'
import { t } from '../i18n'
import { Link } from '../router'
import { Dialog, ErrorMessage, SteadyLabel } from '../ui'
import { type AppDetail, type TestRun, type ValidationResult, editorPath, findingTarget } from './model'

const PLURAL_KINDS: Record<string, string> = {
  entities: 'entity',
  entity: 'entity',
  forms: 'form',
  form: 'form',
  workflows: 'workflow',
  workflow: 'workflow',
  tests: 'test',
  test: 'test'
}

interface FindingGroup {
  id: string
  kind: string
  key: string
  findings: Finding[]
}

/** Findings grouped by the definition their path starts with ("workflows/flow/…"). */
export function groupFindings(findings: Finding[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>()
  for (const finding of findings) {
    // "workflows/flow/nodes/x", "entities/report.fields", "tests[key].steps[0]"
    const parts = (finding.path ?? '').split(/[/.[\]]/).filter(Boolean)
    let kind = ''
    let key = ''
    if (finding.definition) {
      const [first, second] = finding.definition.split('/')
      kind = second ? PLURAL_KINDS[first] ?? first : ''
      key = second ?? first
    } else if (parts.length >= 2 && PLURAL_KINDS[parts[0]]) {
      kind = PLURAL_KINDS[parts[0]]
      key = parts[1]
    }
    const id = kind ? `${kind}/${key}` : ''
    let group = groups.get(id)
    if (!group) {
      group = { id, kind, key, findings: [] }
      groups.set(id, group)
    }
    group.findings.push(finding)
  }
  return [...groups.values()].sort((a, b) => (a.id === '' ? -1 : b.id === '' ? 1 : a.id.localeCompare(b.id)))
}

export function GroupedFindings({ findings, app }: { findings: Finding[]; app: AppDetail }) {
  return (
    <div className="finding-groups">
      {groupFindings(findings).map((group) => {
        const definition = app.draft.definitions.find((d) => d.kind === group.kind && d.key === group.key)
        const title = group.id
          ? `${t(`app.kind_${group.kind}`)} · ${definition?.label || group.key}`
          : t('app.group_general')
        return (
          <section key={group.id || 'general'} className="finding-group">
            <h3>
              {definition && group.kind !== 'test' ? (
                <Link to={editorPath(app.key, definition.kind, definition.key)}>{title}</Link>
              ) : (
                title
              )}
            </h3>
            <FindingLinks findings={group.findings} app={app.key} kind={group.kind} definitionKey={group.key} />
          </section>
        )
      })}
    </div>
  )
}

/** The findings of one definition, each with a link to where it can be fixed. */
function FindingLinks({
  findings,
  app,
  kind,
  definitionKey
}: {
  findings: Finding[]
  app: string
  kind: string
  definitionKey: string
}) {
  return (
    <ul className="findings">
      {findings.map((finding, index) => {
        const severity = finding.severity ?? 'error'
        const target = findingTarget(app, kind, definitionKey, finding)
        return (
          <li key={index} className={`finding ${severity}`}>
            <span className="badge">{t(`common.severity_${severity}`)}</span> {finding.message}
            {finding.path && (
              <>
                {' '}
                <code>{finding.path}</code>
              </>
            )}
            {target && (
              <>
                {' '}
                <Link to={target.path} className="finding-link">
                  {target.node ? t('app.finding_open_node', { node: target.node }) : t('app.finding_open')}
                </Link>
              </>
            )}
          </li>
        )
      })}
    </ul>
  )
}

export default function PublishTab({ app, reload }: { app: AppDetail; reload: () => void }) {
  const [checking, setChecking] = useState(false)
  const [validation, setValidation] = useState<ValidationResult | null>(null)
  const [checkError, setCheckError] = useState<unknown>(undefined)
  const [running, setRunning] = useState(false)
  const [tests, setTests] = useState<TestRun | null>(null)
  const [testsError, setTestsError] = useState<unknown>(undefined)
  const [publishing, setPublishing] = useState(false)
  const [published, setPublished] = useState<VersionSummary | null>(null)

  async function check() {
    setChecking(true)
    setCheckError(undefined)
    try {
      const { data } = await api<ValidationResult>('POST', `${appPath(app.key)}validate/`)
      setValidation(data)
    } catch (reason) {
      setCheckError(reason)
    } finally {
      setChecking(false)
    }
  }

  async function runTests() {
    setRunning(true)
    setTestsError(undefined)
    try {
      const { data } = await api<TestRun>('POST', `${appPath(app.key)}tests/run/`)
      setTests(data)
    } catch (reason) {
      setTests(null)
      setTestsError(reason)
    } finally {
      setRunning(false)
    }
  }

  const errors = validation?.findings.filter((f) => (f.severity ?? 'error') === 'error').length ?? 0
  const warnings = (validation?.findings.length ?? 0) - errors

  return (
    <div className="publish-tab">
      <section className="panel check-panel" aria-labelledby="check-heading">
        <h2 id="check-heading">{t('app.check')}</h2>
        <p className="muted">{t('app.check_intro')}</p>
        <div className="actions">
          <button type="button" onClick={() => void check()} disabled={checking}>
            <SteadyLabel busy={checking} idle={t('app.check')} working={t('app.checking')} />
          </button>
        </div>
        <div aria-live="polite" className="result-area">
          {validation && (
            <>
              <p className={errors ? 'error-text' : 'ok-text'}>
                {errors
                  ? t('app.check_errors', { n: errors })
                  : warnings
                    ? t('app.check_ok_warnings', { n: warnings })
                    : t('app.check_ok')}
              </p>
              {validation.findings.length > 0 && <GroupedFindings findings={validation.findings} app={app} />}
            </>
          )}
        </div>
        <ErrorMessage error={checkError} onRetry={() => void check()} />
      </section>

      <section className="panel tests-panel" aria-labelledby="tests-heading">
        <h2 id="tests-heading">{t('app.tests_title')}</h2>
        <div className="actions">
          <button type="button" onClick={() => void runTests()} disabled={running}>
            <SteadyLabel busy={running} idle={t('app.tests_run')} working={t('app.tests_running')} />
          </button>
          <Link to={editorPath(app.key, 'test', '')}>{t('app.open_tests')}</Link>
        </div>
        <div aria-live="polite" className="result-area">
          {tests && <TestResults run={tests} />}
          {testsError instanceof ApiError && testsError.status === 404 ? (
            <p className="muted">{t('app.tests_unavailable')}</p>
          ) : (
            <ErrorMessage error={testsError} onRetry={() => void runTests()} />
          )}
        </div>
      </section>

      <section className="panel publish-panel" aria-labelledby="publish-heading">
        <h2 id="publish-heading">{t('app.publish')}</h2>
        <p className="muted">{t('app.publish_intro')}</p>
        {app.can_publish ? (
          <div className="actions">
            <button type="button" className="primary" onClick={() => setPublishing(true)}>
              {t('app.publish')}…
            </button>
          </div>
        ) : (
          <p>{t('app.no_publish_right')}</p>
        )}
        <div aria-live="polite">
          {published && <p className="notice">{t('app.published', { n: published.number ?? '' })}</p>}
        </div>
      </section>

      {app.can_publish && (
        <PublishDialog
          app={app}
          open={publishing}
          onClose={() => setPublishing(false)}
          onPublished={(version) => {
            setPublishing(false)
            setPublished(version)
            // What was shown belonged to the draft before publishing: refresh what the
            // user had asked for (check, test run) so the tab shows the new draft's state,
            // and reload the app (its versions list and draft revision).
            const hadValidation = validation !== null || checkError !== undefined
            const hadTests = tests !== null || testsError !== undefined
            setValidation(null)
            setCheckError(undefined)
            setTests(null)
            setTestsError(undefined)
            reload()
            if (hadValidation) void check()
            if (hadTests) void runTests()
          }}
          reload={reload}
        />
      )}
    </div>
  )
}

export function TestResults({ run }: { run: TestRun }) {
  if (run.results.length === 0) return <p className="muted">{t('app.tests_none')}</p>
  const passed = run.results.filter((result) => result.ok).length
  return (
    <>
      <p className={run.passed ? 'ok-text' : 'error-text'}>
        {t('app.tests_summary', { passed, total: run.results.length })}
      </p>
      <ul className="test-results">
        {run.results.map((result) => (
          <li key={result.key} className={result.ok ? 'ok' : 'failed'}>
            <span className="badge">{result.ok ? t('app.test_ok') : t('app.test_failed')}</span>{' '}
            {result.label || result.key}
            {!result.ok && <TestFailure result={result} />}
          </li>
        ))}
      </ul>
    </>
  )
}

function TestFailure({ result }: { result: TestRun['results'][number] }) {
  const errors = result.result?.errors ?? []
  const expectations = (result.result?.expectations ?? []).filter((item) => !item.ok)
  if (!errors.length && !expectations.length) return null
  return (
    <ul className="test-failure">
      {errors.map((error, index) => (
        <li key={`e${index}`}>{error.message}</li>
      ))}
      {expectations.map((item, index) => (
        <li key={`x${index}`}>
          {item.what}: <code>{compact(item.expected)}</code> → <code>{compact(item.actual)}</code>
        </li>
      ))}
    </ul>
  )
}

function compact(value: unknown): string {
  return value === undefined ? '—' : JSON.stringify(value)
}

function PublishDialog({
  app,
  open,
  onClose,
  onPublished,
  reload
}: {
  app: AppDetail
  open: boolean
  onClose: () => void
  onPublished: (version: VersionSummary) => void
  reload: () => void
}) {
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const noteId = useId()

  function close() {
    setError(undefined)
    onClose()
  }

  async function submit(event: FormEvent) {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      const { data } = await api<VersionSummary>('POST', `${appPath(app.key)}publish/`, {
        body: { note: note.trim(), revision: app.draft.revision }
      })
      setNote('')
      onPublished(data)
    } catch (reason) {
      setError(reason)
    } finally {
      setBusy(false)
    }
  }

  const refused = error instanceof ApiError && error.status === 400 ? error : undefined
  return (
    <Dialog open={open} title={t('app.publish_title')} onClose={close}>
      <form onSubmit={(event) => void submit(event)} className="dialog-form">
        <p className="muted">{t('app.publish_intro')}</p>
        <div className="field">
          <label htmlFor={noteId}>{t('app.publish_note')}</label>
          <textarea
            id={noteId}
            rows={3}
            maxLength={2000}
            value={note}
            aria-describedby={`${noteId}-hint`}
            onChange={(event) => setNote(event.target.value)}
          />
          <small id={`${noteId}-hint`} className="hint">
            {t('app.publish_note_hint')}
          </small>
        </div>
        {refused ? (
          <div className="error" role="alert">
            <strong>
              {refused.code === 'tests_failed' ? t('app.publish_tests_failed') : t('app.publish_refused')}
            </strong>
            {refused.message && <p>{refused.message}</p>}
            <div className="refused-findings">
              <GroupedFindings findings={refused.findings} app={app} />
            </div>
          </div>
        ) : (
          <ErrorMessage
            error={error}
            onReload={() => {
              close()
              reload()
            }}
          />
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            <SteadyLabel busy={busy} idle={t('app.publish')} working={t('app.publishing')} />
          </button>
          <button type="button" onClick={close}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
