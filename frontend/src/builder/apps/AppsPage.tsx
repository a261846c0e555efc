// The builder's home (/builder/): the apps the user may build, "Create app" and
// "Import app".
import { type FormEvent, useState } from 'react'
import { ApiError, type AppSummary, type Label, type Schemas, api } from '../api'
import { useAsync } from '../hooks'
import { t, useLanguage } from '../i18n'
import { Link, navigate } from '../router'
import { Dialog, ErrorMessage, KEY_PATTERN, LabelInput, Loading, SteadyLabel, TextField } from '../ui'
import './apps.css'
import './messages'
import { type ImportResult, formatDate, publishedVersions } from './model'

async function loadApps(signal: AbortSignal): Promise<AppSummary[]> {
  const apps: AppSummary[] = []
  let path: string | null = 'apps/'
  // Follow the pages (a builder has few apps; stop after 20 pages to stay bounded).
  for (let page = 0; path && page < 20; page++) {
    type Page = Schemas['PaginatedAppList'] | AppSummary[]
    const result: { data: Page } = await api<Page>('GET', path, { signal })
    const data = result.data
    if (Array.isArray(data)) return data
    apps.push(...data.results)
    const next = data.next ? new URL(data.next, location.origin) : null
    path = next ? next.pathname + next.search : null
  }
  return apps
}

export default function AppsPage() {
  // Names come in the request's language: fetch them again after a language switch.
  const language = useLanguage()
  const apps = useAsync(loadApps, [language])
  const [creating, setCreating] = useState(false)
  const [importing, setImporting] = useState(false)
  const [notice, setNotice] = useState('')

  return (
    <main id="main" className="page apps-page">
      <h1>{t('apps.title')}</h1>
      <p className="muted">{t('apps.intro')}</p>
      <div className="toolbar">
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          {t('apps.create')}
        </button>
        <button type="button" onClick={() => setImporting(true)}>
          {t('apps.import')}
        </button>
      </div>
      <div aria-live="polite">{notice && <p className="notice">{notice}</p>}</div>
      {apps.loading && !apps.data && <Loading />}
      <ErrorMessage error={apps.error} onRetry={apps.reload} />
      {apps.data && apps.data.length === 0 && <p className="empty-state">{t('apps.empty')}</p>}
      {apps.data && apps.data.length > 0 && <AppTable apps={apps.data} />}
      <CreateAppDialog open={creating} onClose={() => setCreating(false)} />
      <ImportAppDialog
        open={importing}
        onClose={() => setImporting(false)}
        onImported={(message) => {
          setImporting(false)
          setNotice(message)
          apps.reload()
        }}
      />
    </main>
  )
}

function AppTable({ apps }: { apps: AppSummary[] }) {
  return (
    <table className="list apps-list">
      <thead>
        <tr>
          <th scope="col">{t('apps.col_name')}</th>
          <th scope="col">{t('apps.col_key')}</th>
          <th scope="col">{t('apps.col_version')}</th>
          <th scope="col">{t('apps.col_draft')}</th>
        </tr>
      </thead>
      <tbody>
        {apps.map((app) => {
          const latest = publishedVersions(app.versions)[0]
          return (
            <tr key={app.id}>
              <td>
                <Link to={`/apps/${encodeURIComponent(app.key)}`}>{app.label || app.key}</Link>
                {app.description && <div className="muted small">{app.description}</div>}
              </td>
              <td>
                <code>{app.key}</code>
              </td>
              <td>
                {latest ? (
                  <>
                    {t('apps.version_n', { n: latest.number ?? '' })}
                    <div className="muted small">{formatDate(latest.published_at)}</div>
                  </>
                ) : (
                  <span className="muted">{t('apps.no_version')}</span>
                )}
              </td>
              <td>{latest ? t('apps.draft_after', { n: latest.number ?? '' }) : t('apps.draft_new')}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

/** Field errors of a 400 answer (`details`), flattened to "field: messages". */
export function fieldErrors(error: unknown): Record<string, string> {
  const result: Record<string, string> = {}
  if (!(error instanceof ApiError) || !error.details || typeof error.details !== 'object') {
    return result
  }
  function walk(prefix: string, value: unknown) {
    if (Array.isArray(value)) {
      const texts = value.filter((item): item is string => typeof item === 'string')
      if (texts.length) result[prefix] = texts.join(' ')
      else value.forEach((item, index) => walk(`${prefix}.${index}`, item))
    } else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) walk(prefix ? `${prefix}.${key}` : key, inner)
    } else if (typeof value === 'string') {
      result[prefix] = value
    }
  }
  walk('', error.details)
  return result
}

function CreateAppDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [key, setKey] = useState('')
  const [name, setName] = useState<Label>({})
  const [description, setDescription] = useState<Label>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [touched, setTouched] = useState(false)

  function close() {
    setKey('')
    setName({})
    setDescription({})
    setError(undefined)
    setTouched(false)
    onClose()
  }

  const keyInvalid = key !== '' && !KEY_PATTERN.test(key)
  const serverErrors = fieldErrors(error)
  let keyError = keyInvalid ? t('common.key_invalid') : undefined
  if (!keyError && touched && !key) keyError = t('common.required')
  if (!keyError && error instanceof ApiError && error.status === 409) {
    keyError = t('apps.key_taken', { key })
  }
  if (!keyError && serverErrors.key) keyError = serverErrors.key
  const nameMissing = touched && !name.vi?.trim()

  async function submit(event: FormEvent) {
    event.preventDefault()
    setTouched(true)
    if (!key || keyInvalid || !name.vi?.trim()) return
    setBusy(true)
    setError(undefined)
    const body: Record<string, unknown> = { key, label: trimLabel(name) }
    if (description.vi?.trim()) body.description = trimLabel(description)
    try {
      const result = await api<AppSummary>('POST', 'apps/', { body })
      setBusy(false)
      close()
      navigate(`/apps/${encodeURIComponent(result.data.key)}`)
    } catch (reason) {
      setBusy(false)
      setError(reason)
    }
  }

  const otherErrors = Object.entries(serverErrors).filter(([field]) => field !== 'key')
  const showGeneral =
    error !== undefined &&
    !(error instanceof ApiError && (error.status === 409 || (error.status === 400 && serverErrors.key)))

  return (
    <Dialog open={open} title={t('apps.create_title')} onClose={close}>
      <form onSubmit={(event) => void submit(event)} noValidate className="dialog-form">
        <TextField
          label={t('apps.field_key')}
          hint={t('common.key_hint')}
          error={keyError}
          value={key}
          autoComplete="off"
          spellCheck={false}
          maxLength={63}
          required
          onChange={(event) => {
            setKey(event.target.value.trim())
            if (error instanceof ApiError && (error.status === 409 || serverErrors.key)) setError(undefined)
          }}
        />
        <LabelInput label={t('apps.field_name')} value={name} onChange={setName} required />
        {nameMissing && <p className="field-error">{t('common.required')}</p>}
        <LabelInput label={t('apps.field_description')} value={description} onChange={setDescription} />
        {showGeneral && (
          <div className="error" role="alert">
            <strong>{(error as Error).message || t('common.error_title')}</strong>
            {otherErrors.length > 0 && (
              <ul>
                {otherErrors.map(([field, message]) => (
                  <li key={field}>
                    <code>{field}</code>: {message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            <SteadyLabel busy={busy} idle={t('common.create')} working={t('apps.creating')} />
          </button>
          <button type="button" onClick={close}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}

function trimLabel(value: Label): Label {
  const result: Label = { vi: value.vi?.trim() ?? '' }
  if (value.en?.trim()) result.en = value.en.trim()
  return result
}

function ImportAppDialog({
  open,
  onClose,
  onImported
}: {
  open: boolean
  onClose: () => void
  onImported: (message: string) => void
}) {
  const [file, setFile] = useState<File | null>(null)
  const [publish, setPublish] = useState(true)
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [missingFile, setMissingFile] = useState(false)

  function reset() {
    setFile(null)
    setPublish(true)
    setNote('')
    setError(undefined)
    setMissingFile(false)
  }

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (!file) {
      setMissingFile(true)
      return
    }
    const form = new FormData()
    form.append('file', file)
    form.append('publish', publish ? 'true' : 'false')
    form.append('note', note)
    setBusy(true)
    setError(undefined)
    try {
      const { data } = await api<ImportResult>('POST', 'apps/import/', { form })
      const name = data.app.label || data.app.key
      let message = t('apps.import_done_draft', { app: name })
      if (!data.changed) message = t('apps.import_unchanged', { app: name })
      else if (data.version) message = t('apps.import_done_published', { app: name, n: data.version.number ?? '' })
      setBusy(false)
      reset()
      onImported(message)
    } catch (reason) {
      setBusy(false)
      setError(reason)
    }
  }

  return (
    <Dialog
      open={open}
      title={t('apps.import_title')}
      onClose={() => {
        reset()
        onClose()
      }}
    >
      <form onSubmit={(event) => void submit(event)} noValidate className="dialog-form">
        <TextField
          label={t('apps.import_file')}
          hint={t('apps.import_file_hint')}
          error={missingFile && !file ? t('apps.import_no_file') : undefined}
          type="file"
          accept=".json,application/json"
          onChange={(event) => {
            setFile(event.target.files?.[0] ?? null)
            setError(undefined)
          }}
        />
        <label className="check">
          <input type="checkbox" checked={publish} onChange={(event) => setPublish(event.target.checked)} />{' '}
          {t('apps.import_publish')}
        </label>
        <TextField
          label={t('apps.import_note')}
          value={note}
          maxLength={2000}
          onChange={(event) => setNote(event.target.value)}
        />
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            <SteadyLabel busy={busy} idle={t('apps.import_submit')} working={t('apps.importing')} />
          </button>
          <button
            type="button"
            onClick={() => {
              reset()
              onClose()
            }}
          >
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
