// A diff between two versions, readable: definitions added / removed / changed, and for a
// changed definition each path added, removed or changed (before → after).
import { t } from '../i18n'
import type { AppDetail, DefinitionChange, Diff, DocumentDiff } from './model'
import { sideName } from './model'

const LONG = 120

/** A value as compact JSON; long values fold into a <details>. */
export function JsonValue({ value }: { value: unknown }) {
  const text = value === undefined ? '—' : JSON.stringify(value)
  if (text.length <= LONG) return <code className="json">{text}</code>
  return (
    <details className="json-long">
      <summary>
        <code className="json">{text.slice(0, LONG)}…</code>{' '}
        <span className="muted small">{t('app.show_more')}</span>
      </summary>
      <pre className="json">{JSON.stringify(value, null, 2)}</pre>
    </details>
  )
}

function isEmpty(diff: DocumentDiff): boolean {
  return !diff.added.length && !diff.removed.length && !diff.changed.length
}

function PathTable({ diff, caption }: { diff: DocumentDiff; caption: string }) {
  return (
    <table className="list diff-paths">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('app.diff_col_change')}</th>
          <th scope="col">{t('app.diff_col_path')}</th>
          <th scope="col">{t('app.diff_col_value')}</th>
        </tr>
      </thead>
      <tbody>
        {diff.added.map((item) => (
          <tr key={`a:${item.path}`} className="diff-added">
            <td>
              <span className="diff-mark">+</span> {t('app.diff_path_added')}
            </td>
            <td>
              <code>{item.path}</code>
            </td>
            <td>
              <JsonValue value={item.value} />
            </td>
          </tr>
        ))}
        {diff.removed.map((item) => (
          <tr key={`r:${item.path}`} className="diff-removed">
            <td>
              <span className="diff-mark">−</span> {t('app.diff_path_removed')}
            </td>
            <td>
              <code>{item.path}</code>
            </td>
            <td>
              <JsonValue value={item.value} />
            </td>
          </tr>
        ))}
        {diff.changed.map((item) => (
          <tr key={`c:${item.path}`} className="diff-changed">
            <td>
              <span className="diff-mark">~</span> {t('app.diff_path_changed')}
            </td>
            <td>
              <code>{item.path}</code>
            </td>
            <td className="before-after">
              <JsonValue value={item.before} /> <span aria-hidden="true">→</span>
              <span className="visually-hidden"> → </span> <JsonValue value={item.after} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function definitionTitle(app: AppDetail, kind: string, key: string): string {
  const known = ['entity', 'form', 'workflow', 'test'].includes(kind)
  const draft = app.draft.definitions.find((item) => item.kind === kind && item.key === key)
  return `${known ? t(`app.kind_${kind}`) : kind} · ${draft?.label || key} (${key})`
}

export default function DiffView({ diff, app }: { diff: Diff; app: AppDetail }) {
  const nothing = !diff.added.length && !diff.removed.length && !diff.changed.length && isEmpty(diff.app)
  return (
    <div className="diff">
      <h3>
        {t('app.diff_heading', {
          from: sideName(String(diff.from_version)),
          to: sideName(String(diff.to_version))
        })}
      </h3>
      {nothing && <p className="muted">{t('app.diff_none')}</p>}
      {!isEmpty(diff.app) && (
        <section className="diff-definition">
          <h4>{t('app.diff_app')}</h4>
          <PathTable diff={diff.app} caption={t('app.diff_app')} />
        </section>
      )}
      {diff.added.length > 0 && (
        <section>
          <h4>{t('app.diff_added')}</h4>
          <ul className="diff-list diff-added">
            {diff.added.map((item) => (
              <li key={`${item.kind}/${item.key}`}>
                <span className="diff-mark">+</span> {definitionTitle(app, item.kind, item.key)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {diff.removed.length > 0 && (
        <section>
          <h4>{t('app.diff_removed')}</h4>
          <ul className="diff-list diff-removed">
            {diff.removed.map((item) => (
              <li key={`${item.kind}/${item.key}`}>
                <span className="diff-mark">−</span> {definitionTitle(app, item.kind, item.key)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {diff.changed.length > 0 && (
        <section>
          <h4>{t('app.diff_changed')}</h4>
          {diff.changed.map((change: DefinitionChange) => {
            const title = definitionTitle(app, change.kind, change.key)
            return (
              <section key={`${change.kind}/${change.key}`} className="diff-definition">
                <h5>{title}</h5>
                <PathTable diff={change} caption={title} />
              </section>
            )
          })}
        </section>
      )}
    </div>
  )
}
