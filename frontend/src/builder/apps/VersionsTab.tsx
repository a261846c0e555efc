// Published versions: compare any two (or one with the draft), restore one into the draft
// (publishing it then rolls back), export one (or the draft) as a bundle file.
import { type FormEvent, useState } from 'react'
import { api, appPath } from '../api'
import { t } from '../i18n'
import { ErrorMessage, Loading, SteadyLabel } from '../ui'
import DiffView from './DiffView'
import {
  type AppDetail,
  type Diff,
  downloadExport,
  formatDate,
  loadApp,
  publishedVersions,
  sideName
} from './model'

export default function VersionsTab({
  app,
  onChanged,
  reload
}: {
  app: AppDetail
  onChanged: (app: AppDetail) => void
  reload: () => void
}) {
  const versions = publishedVersions(app.versions)
  const [error, setError] = useState<unknown>(undefined)
  const [notice, setNotice] = useState('')
  const [busy, setBusy] = useState('')

  async function exportVersion(version: number | 'draft') {
    setError(undefined)
    setBusy(`export-${version}`)
    try {
      await downloadExport(app.key, version)
    } catch (reason) {
      setError(reason)
    } finally {
      setBusy('')
    }
  }

  async function restore(number: number) {
    if (!window.confirm(t('app.restore_confirm', { n: number }))) return
    setError(undefined)
    setNotice('')
    setBusy(`restore-${number}`)
    try {
      await api('POST', `${appPath(app.key)}versions/${number}/restore/`, {
        revision: app.draft.revision
      })
      onChanged(await loadApp(app.key))
      setNotice(t('app.restored', { n: number }))
    } catch (reason) {
      setError(reason)
    } finally {
      setBusy('')
    }
  }

  return (
    <div className="versions-tab">
      <div className="toolbar">
        <button type="button" onClick={() => void exportVersion('draft')} disabled={busy === 'export-draft'}>
          <SteadyLabel busy={busy === 'export-draft'} idle={t('app.export_draft')} working={t('app.exporting')} />
        </button>
      </div>
      <div aria-live="polite">{notice && <p className="notice">{notice}</p>}</div>
      <ErrorMessage
        error={error}
        onReload={() => {
          setError(undefined)
          reload()
        }}
      />
      {versions.length === 0 ? (
        <p className="muted">{t('app.versions_none')}</p>
      ) : (
        <table className="list versions-list">
          <thead>
            <tr>
              <th scope="col">{t('app.col_version')}</th>
              <th scope="col">{t('app.col_published')}</th>
              <th scope="col">{t('app.col_note')}</th>
              <th scope="col">{t('app.col_running')}</th>
              <th scope="col">{t('app.col_actions')}</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((version) => {
              const number = version.number as number
              const name = t('apps.version_n', { n: number })
              return (
                <tr key={version.id}>
                  <th scope="row">{name}</th>
                  <td>{formatDate(version.published_at)}</td>
                  <td className="note">{version.note || <span className="muted">—</span>}</td>
                  <td>{version.running_cases ?? '—'}</td>
                  <td>
                    <div className="row-actions">
                    <button
                      type="button"
                      aria-label={t('app.export_named', { name })}
                      disabled={busy === `export-${number}`}
                      onClick={() => void exportVersion(number)}
                    >
                      {t('app.export')}
                    </button>
                    {app.can_publish && (
                      <button
                        type="button"
                        aria-label={t('app.restore_named', { n: number })}
                        disabled={busy === `restore-${number}`}
                        onClick={() => void restore(number)}
                      >
                        {t('app.restore')}
                      </button>
                    )}
                    </div>
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
      <Compare key={app.draft.revision} app={app} />
    </div>
  )
}

function Compare({ app }: { app: AppDetail }) {
  const versions = publishedVersions(app.versions)
  const sides = ['draft', ...versions.map((version) => String(version.number))]
  const [from, setFrom] = useState(sides[1] ?? 'draft')
  const [to, setTo] = useState('draft')
  const [diff, setDiff] = useState<Diff | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<unknown>(undefined)

  if (versions.length === 0) return null

  async function compare(event: FormEvent) {
    event.preventDefault()
    if (from === to) {
      setDiff(null)
      setError(new Error(t('app.compare_same')))
      return
    }
    setLoading(true)
    setError(undefined)
    try {
      const query = new URLSearchParams({ from, to })
      const { data } = await api<Diff>('GET', `${appPath(app.key)}diff/?${query}`)
      setDiff(data)
    } catch (reason) {
      setDiff(null)
      setError(reason)
    } finally {
      setLoading(false)
    }
  }

  const option = (side: string) => (
    <option key={side} value={side}>
      {sideName(side)}
    </option>
  )
  return (
    <section className="compare" aria-labelledby="compare-heading">
      <h2 id="compare-heading">{t('app.compare_title')}</h2>
      <form className="compare-form" onSubmit={(event) => void compare(event)}>
        <div className="field">
          <label htmlFor="compare-from">{t('app.compare_from')}</label>
          <select id="compare-from" value={from} onChange={(event) => setFrom(event.target.value)}>
            {sides.map(option)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="compare-to">{t('app.compare_to')}</label>
          <select id="compare-to" value={to} onChange={(event) => setTo(event.target.value)}>
            {sides.map(option)}
          </select>
        </div>
        <button type="submit" className="primary" disabled={loading}>
          {t('app.compare')}
        </button>
      </form>
      <div aria-live="polite" className="result-area">
        {loading && <Loading text={t('app.comparing')} />}
        <ErrorMessage error={error} />
        {diff && !loading && <DiffView diff={diff} app={app} />}
      </div>
    </section>
  )
}
