// The draft's definitions, by kind: links to their editors, "New …" dialogs that create a
// definition from its starter document, and delete (with the draft revision).
import { type FormEvent, useState } from 'react'
import {
  type DefinitionSummary,
  type Label,
  api,
  definitionPath,
  loadDefinition,
  saveDefinition
} from '../api'
import { t } from '../i18n'
import { Link, navigate } from '../router'
import type { EntityDoc } from '../types'
import { starterEntity, starterForm, starterWorkflow } from '../starters'
import { Dialog, ErrorMessage, KEY_PATTERN, LabelInput, SteadyLabel, TextField } from '../ui'
import { type AppDetail, KINDS, editorPath, loadApp } from './model'

type NewKind = 'entity' | 'form' | 'workflow'

export default function DefinitionsTab({
  app,
  onChanged,
  reload
}: {
  app: AppDetail
  onChanged: (app: AppDetail) => void
  reload: () => void
}) {
  const [creating, setCreating] = useState<NewKind | null>(null)
  const [error, setError] = useState<unknown>(undefined)
  const [notice, setNotice] = useState('')
  const [busyKey, setBusyKey] = useState('')
  const definitions = app.draft.definitions

  async function remove(definition: DefinitionSummary) {
    const name = definition.label || definition.key
    if (!window.confirm(t('app.delete_confirm', { name }))) return
    setError(undefined)
    setNotice('')
    setBusyKey(`${definition.kind}/${definition.key}`)
    try {
      await api('DELETE', definitionPath(app.key, definition.kind, definition.key), {
        revision: app.draft.revision
      })
      onChanged(await loadApp(app.key))
      setNotice(t('app.deleted', { name }))
    } catch (reason) {
      setError(reason)
    } finally {
      setBusyKey('')
    }
  }

  return (
    <div className="definitions-tab">
      <div className="toolbar">
        <button type="button" className="primary" onClick={() => setCreating('entity')}>
          {t('app.new_entity')}
        </button>
        <button type="button" onClick={() => setCreating('form')}>
          {t('app.new_form')}
        </button>
        <button type="button" onClick={() => setCreating('workflow')}>
          {t('app.new_workflow')}
        </button>
        <span className="spacer" />
        <span className="muted small">{t('app.draft_revision', { revision: app.draft.revision.slice(0, 8) })}</span>
      </div>
      <div aria-live="polite">{notice && <p className="notice">{notice}</p>}</div>
      <ErrorMessage
        error={error}
        onReload={() => {
          setError(undefined)
          reload()
        }}
      />
      <div className="definition-groups">
        {KINDS.map((kind) => {
          const items = definitions.filter((definition) => definition.kind === kind)
          return (
            <section key={kind} className="panel definition-group" aria-labelledby={`kind-${kind}`}>
              <h2 id={`kind-${kind}`}>
                {t(`app.kind_${kind}`)} <span className="count">({items.length})</span>
              </h2>
              {items.length === 0 ? (
                <p className="muted">{t(`app.none_${kind}`)}</p>
              ) : (
                <ul className="definition-list">
                  {items.map((definition) => {
                    const name = definition.label || definition.key
                    return (
                      <li key={definition.key}>
                        <Link to={editorPath(app.key, kind, definition.key)}>{name}</Link>{' '}
                        <code className="muted">{definition.key}</code>
                        <button
                          type="button"
                          className="danger small"
                          aria-label={t('app.delete_named', { name })}
                          disabled={busyKey === `${kind}/${definition.key}`}
                          onClick={() => void remove(definition)}
                        >
                          {t('common.delete')}
                        </button>
                      </li>
                    )
                  })}
                </ul>
              )}
              {kind === 'test' && (
                <Link to={editorPath(app.key, 'test', '')} className="small">
                  {t('app.open_tests')}
                </Link>
              )}
            </section>
          )
        })}
      </div>
      <NewDefinitionDialog app={app} kind={creating} onClose={() => setCreating(null)} reload={reload} />
    </div>
  )
}

function NewDefinitionDialog({
  app,
  kind,
  onClose,
  reload
}: {
  app: AppDetail
  kind: NewKind | null
  onClose: () => void
  reload: () => void
}) {
  const entities = app.draft.definitions.filter((definition) => definition.kind === 'entity')
  const workflows = app.draft.definitions.filter((definition) => definition.kind === 'workflow')
  const [key, setKey] = useState('')
  const [name, setName] = useState<Label>({})
  const [entity, setEntity] = useState('')
  const [workflow, setWorkflow] = useState('')
  const [touched, setTouched] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)

  function close() {
    setKey('')
    setName({})
    setEntity('')
    setWorkflow('')
    setTouched(false)
    setError(undefined)
    onClose()
  }

  const chosenEntity = entity || entities[0]?.key || ''
  const taken = !!kind && app.draft.definitions.some((d) => d.kind === kind && d.key === key)
  let keyError: string | undefined
  if (key && !KEY_PATTERN.test(key)) keyError = t('common.key_invalid')
  else if (taken) keyError = t('app.key_exists')
  else if (touched && !key) keyError = t('common.required')
  const needsEntity = kind === 'form' || kind === 'workflow'

  async function submit(event: FormEvent) {
    event.preventDefault()
    setTouched(true)
    if (!kind || !key || keyError || !name.vi?.trim()) return
    if (needsEntity && !chosenEntity) return
    const label: Label = { vi: name.vi.trim() }
    if (name.en?.trim()) label.en = name.en.trim()
    setBusy(true)
    setError(undefined)
    try {
      let document: unknown
      if (kind === 'entity') document = starterEntity(key, label)
      else if (kind === 'workflow') document = starterWorkflow(key, label, chosenEntity)
      else {
        // A form's first step shows one field of the entity: its title field, or its first.
        const entityDoc = (await loadDefinition(app.key, 'entity', chosenEntity)).document as Partial<EntityDoc>
        const field = entityDoc.title_field || entityDoc.fields?.[0]?.key || 'title'
        document = starterForm(key, label, chosenEntity, workflow || undefined, field)
      }
      await saveDefinition(app.key, kind, key, document, app.draft.revision)
      setBusy(false)
      close()
      navigate(editorPath(app.key, kind, key))
    } catch (reason) {
      setBusy(false)
      setError(reason)
    }
  }

  const title = kind ? t(`app.new_title_${kind}`) : ''
  return (
    <Dialog open={kind !== null} title={title} onClose={close}>
      <form onSubmit={(event) => void submit(event)} noValidate className="dialog-form">
        <TextField
          label={t('common.key')}
          hint={t('common.key_hint')}
          error={keyError}
          value={key}
          autoComplete="off"
          spellCheck={false}
          maxLength={63}
          required
          onChange={(event) => setKey(event.target.value.trim())}
        />
        <LabelInput label={t('common.name')} value={name} onChange={setName} required />
        {touched && !name.vi?.trim() && <p className="field-error">{t('common.required')}</p>}
        {needsEntity &&
          (entities.length === 0 ? (
            <p className="field-error" role="alert">
              {t('app.need_entity')}
            </p>
          ) : (
            <div className="field">
              <label htmlFor="new-definition-entity">{t('app.field_entity')}</label>
              <select
                id="new-definition-entity"
                value={chosenEntity}
                onChange={(event) => setEntity(event.target.value)}
              >
                {entities.map((item) => (
                  <option key={item.key} value={item.key}>
                    {item.label || item.key} ({item.key})
                  </option>
                ))}
              </select>
            </div>
          ))}
        {kind === 'form' && (
          <div className="field">
            <label htmlFor="new-definition-workflow">{t('app.field_workflow')}</label>
            <select
              id="new-definition-workflow"
              value={workflow}
              onChange={(event) => setWorkflow(event.target.value)}
            >
              <option value="">{t('app.no_workflow')}</option>
              {workflows.map((item) => (
                <option key={item.key} value={item.key}>
                  {item.label || item.key} ({item.key})
                </option>
              ))}
            </select>
          </div>
        )}
        <ErrorMessage
          error={error}
          onReload={() => {
            close()
            reload()
          }}
        />
        <div className="actions">
          <button
            type="submit"
            className="primary"
            disabled={busy || (needsEntity && entities.length === 0)}
          >
            <SteadyLabel busy={busy} idle={t('common.create')} working={t('common.saving')} />
          </button>
          <button type="button" onClick={close}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
