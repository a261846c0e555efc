// The entity editor (/builder/apps/:app/entity/:key): the entity's name, its title field and
// its fields — add, rename, reorder (drag handle or move up/down buttons), edit each field's
// type, texts and validation settings, delete (after showing where the field is used).
import { type DragEvent, useId, useState } from 'react'
import { type Label, type Schemas, api, appPath } from '../api'
import { useAsync, useDraftText } from '../hooks'
import { label as labelText, t, useLanguage } from '../i18n'
import { Link, useRoute } from '../router'
import type { EntityDoc, EntityField, Option } from '../types'
import { Dialog, ErrorMessage, FindingList, KEY_PATTERN, LabelInput, Loading, SteadyLabel, TextField } from '../ui'
import './editors.css'
import './messages'
import { findingsAt, useDefinition, useRevealLink } from './useDefinition'

/** One place of the draft that uses a field. */
export type Usage = Schemas['Usage']

export const FIELD_TYPES = [
  'text',
  'long_text',
  'number',
  'date',
  'choice',
  'multi_choice',
  'boolean',
  'file',
  'photo',
  'location',
  'agency',
  'group'
]

/** The types a field inside a group may have (no files, locations or nested groups). */
export const GROUP_FIELD_TYPES = ['text', 'long_text', 'number', 'date', 'choice', 'multi_choice', 'boolean', 'agency']

const AGENCY_KINDS = ['city', 'department', 'district', 'ward', 'company']

/** The settings each type has (the others are dropped when the type changes). */
const TYPE_SETTINGS: Record<string, string[]> = {
  text: ['min_length', 'max_length'],
  long_text: ['min_length', 'max_length'],
  number: ['min', 'max', 'integer'],
  choice: ['options'],
  multi_choice: ['options'],
  file: ['max_files', 'max_size_mb', 'accept'],
  photo: ['max_files', 'max_size_mb', 'accept'],
  agency: ['agency_kind'],
  group: ['fields', 'min_items', 'max_items', 'item_label']
}
const ALL_SETTINGS = new Set(Object.values(TYPE_SETTINGS).flat())

export function changeFieldType(field: EntityField, type: string): EntityField {
  const keep = new Set(TYPE_SETTINGS[type] ?? [])
  const next: EntityField = { ...field, type }
  for (const name of ALL_SETTINGS) if (!keep.has(name)) delete next[name]
  if (keep.has('options') && !Array.isArray(next.options)) next.options = []
  if (keep.has('fields') && !Array.isArray(next.fields)) {
    next.fields = [{ key: 'item', type: 'text', label: { vi: 'Nội dung', en: 'Item' } }]
  }
  return next
}

export function moveItem<T>(items: T[], from: number, to: number): T[] {
  if (from === to || from < 0 || to < 0 || from >= items.length || to >= items.length) return items
  const next = [...items]
  const [item] = next.splice(from, 1)
  next.splice(to, 0, item)
  return next
}

/** Where the draft uses a field of an entity: the server's answer (GET usages/). */
export async function loadUsages(app: string, entity: string, field: string, signal?: AbortSignal): Promise<Usage[]> {
  const query = new URLSearchParams({ entity, field })
  return (await api<Usage[]>('GET', `${appPath(app)}usages/?${query.toString()}`, { signal })).data
}

function cleanLabel(value: Label): Label | undefined {
  const next: Label = {}
  if (value.vi) next.vi = value.vi
  if (value.en) next.en = value.en
  return next.vi || next.en ? next : undefined
}

export default function EntityEditor({ appKey, definitionKey }: { appKey: string; definitionKey: string }) {
  useLanguage()
  const editor = useDefinition<EntityDoc>(appKey, 'entity', definitionKey)
  const [open, setOpen] = useState<Set<string>>(new Set())
  const [renamed, setRenamed] = useState<Record<string, string>>({})
  const [deleting, setDeleting] = useState<string | undefined>(undefined)
  const doc = editor.document
  const target = useRoute().query.get('field')
  // ?field=<key or index> (a link from a finding): open that field and bring it into view.
  useRevealLink(!editor.loading && !!doc, target ?? '', (wanted) => {
    const key = fieldKeyOf(doc?.fields, wanted)
    if (key === undefined) return undefined
    setOpen((current) => new Set(current).add(key))
    return fieldToggleId(key)
  })

  if (editor.loading || !doc) {
    return <Unavailable editor={editor} appKey={appKey} notFound={t('editors.entity.not_found', { key: definitionKey })} />
  }

  const fields = Array.isArray(doc.fields) ? doc.fields : []
  const setFields = (change: (fields: EntityField[]) => EntityField[]) =>
    editor.update((current) => ({ ...current, fields: change(current.fields ?? []) }))
  const setField = (index: number, field: EntityField) =>
    setFields((list) => list.map((item, i) => (i === index ? field : item)))
  const toggle = (key: string) =>
    setOpen((current) => {
      const next = new Set(current)
      if (next.has(key)) next.delete(key)
      else next.add(key)
      return next
    })

  function rename(index: number, from: string, to: string) {
    editor.update((current) => ({
      ...current,
      title_field: current.title_field === from ? to : current.title_field,
      fields: current.fields.map((item, i) => (i === index ? { ...item, key: to } : item))
    }))
    setRenamed((current) => {
      const next = { ...current }
      const original = next[from] ?? from
      delete next[from]
      if (original !== to) next[to] = original
      return next
    })
    setOpen((current) => {
      const next = new Set(current)
      next.delete(from)
      next.add(to)
      return next
    })
  }

  function remove(key: string) {
    editor.update((current) => {
      const next = { ...current, fields: current.fields.filter((item) => item.key !== key) }
      if (next.title_field === key) delete next.title_field
      return next
    })
    setDeleting(undefined)
  }

  const generalFindings = findingsAt(editor.saveError, '').filter(
    (finding) => !/fields\/\d+/.test(finding.path ?? '')
  )
  const deletingField = fields.find((item) => item.key === deleting)

  return (
    <main id="main" className="page editor-page">
      <Breadcrumbs appKey={appKey} />
      <h1>
        {t('editors.entity.title')}: {labelText(doc.label, doc.key)}
      </h1>
      <SaveBar editor={editor} />
      {editor.saveError !== undefined && (
        <ErrorMessage error={editor.saveError} onReload={editor.reload} />
      )}

      <section className="panel editor-section" aria-labelledby="entity-general">
        <h2 id="entity-general">{t('editors.general')}</h2>
        <p className="muted">
          {t('common.key')}: <code>{doc.key}</code>
        </p>
        <LabelInput
          label={t('editors.entity.name')}
          value={doc.label}
          required
          onChange={(value) => editor.update((current) => ({ ...current, label: value }))}
        />
        <LabelInput
          label={t('editors.description')}
          value={doc.description as Label | undefined}
          onChange={(value) =>
            editor.update((current) => {
              const next = { ...current }
              if (cleanLabel(value)) next.description = value
              else delete next.description
              return next
            })
          }
        />
        <TitleFieldSelect
          value={doc.title_field}
          fields={fields}
          onChange={(value) =>
            editor.update((current) => {
              const next = { ...current }
              if (value) next.title_field = value
              else delete next.title_field
              return next
            })
          }
        />
      </section>

      <section className="editor-section" aria-labelledby="entity-fields">
        <h2 id="entity-fields">{t('editors.entity.fields')}</h2>
        {generalFindings.length > 0 && <FindingList findings={generalFindings} />}
        <FieldList
          appKey={appKey}
          doc={doc}
          open={open}
          renamed={renamed}
          saveError={editor.saveError}
          onToggle={toggle}
          onMove={(from, to) => setFields((list) => moveItem(list, from, to))}
          onChange={setField}
          onRename={rename}
          onDelete={setDeleting}
        />
        <AddField
          existing={fields.map((item) => item.key)}
          onAdd={(field) => {
            setFields((list) => [...list, field])
            setOpen((current) => new Set(current).add(field.key))
          }}
        />
      </section>

      <Dialog
        open={deletingField !== undefined}
        title={t('editors.entity.delete_title', { name: labelText(deletingField?.label, deleting ?? '') })}
        onClose={() => setDeleting(undefined)}
      >
        {deletingField && (
          <DeleteField
            appKey={appKey}
            entity={doc}
            field={deletingField.key}
            onCancel={() => setDeleting(undefined)}
            onConfirm={() => remove(deletingField.key)}
          />
        )}
      </Dialog>
    </main>
  )
}

/** The key of the field a deep link names: its key, else its index in the list. */
export function fieldKeyOf(fields: EntityField[] | undefined, wanted: string): string | undefined {
  const list = Array.isArray(fields) ? fields : []
  if (list.some((field) => field.key === wanted)) return wanted
  if (/^\d+$/.test(wanted)) return list[Number(wanted)]?.key
  return undefined
}

export function fieldToggleId(key: string): string {
  return `entity-field-${key}`
}

/** Scroll an element into view (centred when the browser can) and move focus to it. */
/** The page of an editor whose definition is loading, missing or failed to load. */
export function Unavailable({
  editor,
  appKey,
  notFound
}: {
  editor: { loading: boolean; notFound: boolean; loadError: unknown; retry: () => void }
  appKey: string
  notFound: string
}) {
  if (editor.loading) {
    return (
      <main id="main" className="page">
        <Loading />
      </main>
    )
  }
  return (
    <main id="main" className="page">
      <Breadcrumbs appKey={appKey} />
      <h1>{editor.notFound ? notFound : t('common.error_title')}</h1>
      {!editor.notFound && <ErrorMessage error={editor.loadError} onRetry={editor.retry} />}
    </main>
  )
}

export function Breadcrumbs({ appKey }: { appKey: string }) {
  return (
    <nav className="breadcrumbs" aria-label={t('editors.breadcrumbs')}>
      <Link to="/">{t('shell.apps')}</Link> › <Link to={`/apps/${appKey}`}>{appKey}</Link>
    </nav>
  )
}

/** The save button, Ctrl+S hint and the dirty / saved indicator. */
export function SaveBar({
  editor
}: {
  editor: { dirty: boolean; saving: boolean; saved: boolean; save: () => Promise<void> }
}) {
  return (
    <div className="toolbar editor-toolbar">
      <button
        type="button"
        className="primary"
        onClick={() => void editor.save()}
        disabled={editor.saving}
        aria-keyshortcuts="Control+S"
      >
        <SteadyLabel busy={editor.saving} idle={t('common.save')} working={t('common.saving')} />
      </button>
      <span role="status" aria-live="polite">
        {editor.dirty ? (
          <span className="status-dirty">● {t('common.unsaved')}</span>
        ) : editor.saved ? (
          <span className="status-saved">✓ {t('common.saved')}</span>
        ) : null}
      </span>
      <span className="spacer" />
      <small className="muted">{t('editors.shortcut')}</small>
    </div>
  )
}

function TitleFieldSelect({
  value,
  fields,
  onChange
}: {
  value: string | undefined
  fields: EntityField[]
  onChange: (value: string) => void
}) {
  const id = useId()
  return (
    <div className="field">
      <label htmlFor={id}>{t('editors.entity.title_field')}</label>
      <select id={id} value={value ?? ''} onChange={(event) => onChange(event.target.value)}>
        <option value="">{t('editors.none')}</option>
        {fields.map((field) => (
          <option key={field.key} value={field.key}>
            {labelText(field.label, field.key)} ({field.key})
          </option>
        ))}
      </select>
    </div>
  )
}

function FieldList({
  appKey,
  doc,
  open,
  renamed,
  saveError,
  onToggle,
  onMove,
  onChange,
  onRename,
  onDelete
}: {
  appKey: string
  doc: EntityDoc
  open: Set<string>
  renamed: Record<string, string>
  saveError: unknown
  onToggle: (key: string) => void
  onMove: (from: number, to: number) => void
  onChange: (index: number, field: EntityField) => void
  onRename: (index: number, from: string, to: string) => void
  onDelete: (key: string) => void
}) {
  const [dragging, setDragging] = useState<number | undefined>(undefined)
  const [over, setOver] = useState<number | undefined>(undefined)
  const fields = doc.fields ?? []

  function onDrop(event: DragEvent, index: number) {
    event.preventDefault()
    const from = dragging ?? Number(event.dataTransfer.getData('text/plain'))
    setDragging(undefined)
    setOver(undefined)
    if (!Number.isNaN(from)) onMove(from, index)
  }

  return (
    <ol className="card-list" aria-label={t('editors.entity.fields')}>
      {fields.map((field, index) => {
        const name = labelText(field.label, field.key)
        const expanded = open.has(field.key)
        const findings = findingsAt(saveError, `fields/${index}`)
        return (
          <li
            key={field.key}
            className={`card${over === index ? ' drop-target' : ''}${dragging === index ? ' dragging' : ''}${findings.length ? ' has-findings' : ''}`}
            onDragOver={(event) => {
              if (dragging === undefined) return
              event.preventDefault()
              setOver(index)
            }}
            onDragLeave={() => setOver((current) => (current === index ? undefined : current))}
            onDrop={(event) => onDrop(event, index)}
          >
            <div className="card-head">
              <span
                className="drag-handle"
                draggable
                title={t('editors.drag_hint')}
                aria-hidden="true"
                onDragStart={(event) => {
                  event.dataTransfer.effectAllowed = 'move'
                  event.dataTransfer.setData('text/plain', String(index))
                  setDragging(index)
                }}
                onDragEnd={() => {
                  setDragging(undefined)
                  setOver(undefined)
                }}
              >
                ⠿
              </span>
              <button
                type="button"
                id={fieldToggleId(field.key)}
                className="card-title"
                aria-expanded={expanded}
                onClick={() => onToggle(field.key)}
              >
                <span className="chevron" aria-hidden="true" />
                <strong>{name}</strong> <code>{field.key}</code>{' '}
                <span className="badge-type">{t(`editors.type.${field.type}`)}</span>
                {field.required && <span className="badge-required">{t('editors.field.required')}</span>}
              </button>
              <span className="card-tools">
                <button
                  type="button"
                  disabled={index === 0}
                  aria-label={t('editors.move_up_named', { name })}
                  title={t('editors.move_up')}
                  onClick={() => onMove(index, index - 1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  disabled={index === fields.length - 1}
                  aria-label={t('editors.move_down_named', { name })}
                  title={t('editors.move_down')}
                  onClick={() => onMove(index, index + 1)}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="danger"
                  aria-label={t('editors.entity.delete_named', { name })}
                  onClick={() => onDelete(field.key)}
                >
                  {t('common.delete')}
                </button>
              </span>
            </div>
            {findings.length > 0 && <FindingList findings={findings} />}
            {expanded && (
              <FieldEditor
                appKey={appKey}
                entity={doc}
                field={field}
                originalKey={renamed[field.key]}
                siblings={fields.filter((_, i) => i !== index).map((item) => item.key)}
                onChange={(next) => onChange(index, next)}
                onRename={(to) => onRename(index, field.key, to)}
              />
            )}
          </li>
        )
      })}
    </ol>
  )
}

export function keyError(key: string, existing: string[]): string | undefined {
  if (!key) return t('common.required')
  if (!KEY_PATTERN.test(key)) return t('common.key_invalid')
  if (existing.includes(key)) return t('editors.entity.key_taken', { key })
  return undefined
}

function AddField({
  existing,
  onAdd,
  types = FIELD_TYPES,
  title = t('editors.entity.add_title')
}: {
  existing: string[]
  onAdd: (field: EntityField) => void
  types?: string[]
  title?: string
}) {
  const id = useId()
  const [key, setKey] = useState('')
  const [name, setName] = useState('')
  const [type, setType] = useState('text')
  const [touched, setTouched] = useState(false)
  const error = touched ? keyError(key, existing) : undefined

  function submit() {
    setTouched(true)
    if (keyError(key, existing)) return
    const field: EntityField = { key, type, label: { vi: name.trim() || key } }
    onAdd(changeFieldType(field, type))
    setKey('')
    setName('')
    setTouched(false)
  }

  return (
    <form
      className="panel add-form"
      aria-labelledby={`${id}-title`}
      onSubmit={(event) => {
        event.preventDefault()
        submit()
      }}
    >
      <h3 id={`${id}-title`}>{title}</h3>
      <div className="row">
        <TextField
          label={t('editors.entity.new_key')}
          hint={t('common.key_hint')}
          error={error}
          value={key}
          onChange={(event) => setKey(event.target.value.trim())}
        />
        <TextField
          label={t('editors.entity.new_name')}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <div className="field">
          <label htmlFor={`${id}-type`}>{t('editors.field.type')}</label>
          <select id={`${id}-type`} value={type} onChange={(event) => setType(event.target.value)}>
            {types.map((candidate) => (
              <option key={candidate} value={candidate}>
                {t(`editors.type.${candidate}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="actions">
        <button type="submit" className="primary">
          {t('editors.entity.add')}
        </button>
      </div>
    </form>
  )
}

function FieldEditor({
  appKey,
  entity,
  field,
  originalKey,
  siblings,
  onChange,
  onRename,
  types = FIELD_TYPES
}: {
  appKey: string
  entity: EntityDoc
  field: EntityField
  originalKey: string | undefined
  siblings: string[]
  onChange: (field: EntityField) => void
  onRename: (to: string) => void
  types?: string[]
}) {
  const id = useId()
  // The key being typed; a rename from elsewhere (undo, reload) shows the new key.
  const [key, setKey] = useDraftText(field.key, (current) => current, () => false)
  const error = key !== field.key ? keyError(key, siblings) : undefined
  const set = (name: string, value: unknown) => {
    const next = { ...field }
    if (value === undefined || value === '' || value === false) delete next[name]
    else next[name] = value
    onChange(next)
  }
  const setLabel = (name: 'label' | 'help', value: Label) => {
    if (name === 'label') onChange({ ...field, label: value })
    else set('help', cleanLabel(value) ? value : undefined)
  }
  const settings = TYPE_SETTINGS[field.type] ?? []

  return (
    <div className="card-body">
      <div className="row">
        <div className={`field${error ? ' invalid' : ''}`}>
          <label htmlFor={`${id}-key`}>{t('editors.field.key')}</label>
          <div className="inline">
            <input
              id={`${id}-key`}
              value={key}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-key-error` : undefined}
              onChange={(event) => setKey(event.target.value.trim())}
              onKeyDown={(event) => {
                if (event.key === 'Enter' && !error && key !== field.key) {
                  event.preventDefault()
                  onRename(key)
                }
              }}
            />
            <button type="button" disabled={key === field.key || !!error} onClick={() => onRename(key)}>
              {t('editors.field.rename')}
            </button>
          </div>
          {error && (
            <small id={`${id}-key-error`} className="field-error">
              {error}
            </small>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-type`}>{t('editors.field.type')}</label>
          <select
            id={`${id}-type`}
            value={field.type}
            onChange={(event) => onChange(changeFieldType(field, event.target.value))}
          >
            {!types.includes(field.type) && <option value={field.type}>{field.type}</option>}
            {types.map((candidate) => (
              <option key={candidate} value={candidate}>
                {t(`editors.type.${candidate}`)}
              </option>
            ))}
          </select>
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={!!field.required}
            onChange={(event) => set('required', event.target.checked)}
          />{' '}
          {t('editors.field.required')}
        </label>
      </div>
      {originalKey && <RenameWarning appKey={appKey} entity={entity} from={originalKey} to={field.key} />}
      <LabelInput label={t('editors.field.label')} value={field.label} required onChange={(value) => setLabel('label', value)} />
      <LabelInput label={t('editors.field.help')} value={field.help} onChange={(value) => setLabel('help', value)} />
      {settings.length > 0 && (
        <fieldset className="settings">
          <legend>{t('editors.field.settings')}</legend>
          <div className="row">
            {settings.includes('min_length') && (
              <NumberSetting label={t('editors.field.min_length')} value={field.min_length} integer min={0} onChange={(value) => set('min_length', value)} />
            )}
            {settings.includes('max_length') && (
              <NumberSetting label={t('editors.field.max_length')} value={field.max_length} integer min={1} onChange={(value) => set('max_length', value)} />
            )}
            {settings.includes('min') && (
              <NumberSetting label={t('editors.field.min')} value={field.min} onChange={(value) => set('min', value)} />
            )}
            {settings.includes('max') && (
              <NumberSetting label={t('editors.field.max')} value={field.max} onChange={(value) => set('max', value)} />
            )}
            {settings.includes('integer') && (
              <label className="check">
                <input type="checkbox" checked={!!field.integer} onChange={(event) => set('integer', event.target.checked)} />{' '}
                {t('editors.field.integer')}
              </label>
            )}
            {settings.includes('max_files') && (
              <NumberSetting label={t('editors.field.max_files')} value={field.max_files} integer min={1} max={20} onChange={(value) => set('max_files', value)} />
            )}
            {settings.includes('max_size_mb') && (
              <NumberSetting label={t('editors.field.max_size_mb')} value={field.max_size_mb} min={0} max={100} onChange={(value) => set('max_size_mb', value)} />
            )}
            {settings.includes('accept') && (
              <AcceptSetting value={field.accept} onChange={(value) => set('accept', value)} />
            )}
            {settings.includes('min_items') && (
              <NumberSetting label={t('editors.field.min_items')} value={field.min_items} integer min={0} max={50} onChange={(value) => set('min_items', value)} />
            )}
            {settings.includes('max_items') && (
              <NumberSetting label={t('editors.field.max_items')} value={field.max_items} integer min={1} max={50} onChange={(value) => set('max_items', value)} />
            )}
            {settings.includes('agency_kind') && (
              <div className="field">
                <label htmlFor={`${id}-agency`}>{t('editors.field.agency_kind')}</label>
                <select id={`${id}-agency`} value={typeof field.agency_kind === 'string' ? field.agency_kind : ''} onChange={(event) => set('agency_kind', event.target.value || undefined)}>
                  <option value="">{t('editors.any')}</option>
                  {AGENCY_KINDS.map((kind) => (
                    <option key={kind} value={kind}>
                      {t(`editors.agency_kind.${kind}`)}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </div>
          {settings.includes('item_label') && (
            <LabelInput
              label={t('editors.field.item_label')}
              value={field.item_label as Label | undefined}
              onChange={(value) => set('item_label', cleanLabel(value) ? value : undefined)}
            />
          )}
          {settings.includes('fields') && (
            <SubFields
              appKey={appKey}
              entity={entity}
              fields={Array.isArray(field.fields) ? (field.fields as EntityField[]) : []}
              onChange={(fields) => onChange({ ...field, fields })}
            />
          )}
          {settings.includes('options') && (
            <OptionsEditor
              options={Array.isArray(field.options) ? field.options : []}
              onChange={(options) => onChange({ ...field, options })}
            />
          )}
        </fieldset>
      )}
    </div>
  )
}

/** The fields of a group: a compact list with the same editor, simple types only. */
function SubFields({
  appKey,
  entity,
  fields,
  onChange
}: {
  appKey: string
  entity: EntityDoc
  fields: EntityField[]
  onChange: (fields: EntityField[]) => void
}) {
  const [open, setOpen] = useState<string | undefined>(undefined)
  const keys = fields.map((field) => field.key)
  return (
    <fieldset className="sub-fields">
      <legend>{t('editors.field.group_fields')}</legend>
      <ol className="card-list" aria-label={t('editors.field.group_fields')}>
        {fields.map((field, index) => {
          const name = labelText(field.label, field.key)
          return (
            <li key={field.key} className="card">
              <div className="card-head">
                <button type="button" className="card-title" aria-expanded={open === field.key} onClick={() => setOpen(open === field.key ? undefined : field.key)}>
                  <span className="chevron" aria-hidden="true" />
                  <strong>{name}</strong> <code>{field.key}</code> <span className="badge-type">{t(`editors.type.${field.type}`)}</span>
                </button>
                <span className="card-tools">
                  <button type="button" disabled={index === 0} aria-label={t('editors.move_up_named', { name })} onClick={() => onChange(moveItem(fields, index, index - 1))}>
                    ↑
                  </button>
                  <button type="button" disabled={index === fields.length - 1} aria-label={t('editors.move_down_named', { name })} onClick={() => onChange(moveItem(fields, index, index + 1))}>
                    ↓
                  </button>
                  <button type="button" className="danger" aria-label={t('editors.entity.delete_named', { name })} onClick={() => onChange(fields.filter((_, i) => i !== index))}>
                    {t('common.delete')}
                  </button>
                </span>
              </div>
              {open === field.key && (
                <FieldEditor
                  appKey={appKey}
                  entity={entity}
                  field={field}
                  originalKey={undefined}
                  siblings={keys.filter((_, i) => i !== index)}
                  types={GROUP_FIELD_TYPES}
                  onChange={(next) => onChange(fields.map((item, i) => (i === index ? next : item)))}
                  onRename={(to) => {
                    onChange(fields.map((item, i) => (i === index ? { ...item, key: to } : item)))
                    setOpen(to)
                  }}
                />
              )}
            </li>
          )
        })}
      </ol>
      <AddField
        existing={keys}
        types={GROUP_FIELD_TYPES}
        title={t('editors.field.group_add')}
        onAdd={(field) => {
          onChange([...fields, field])
          setOpen(field.key)
        }}
      />
    </fieldset>
  )
}

function NumberSetting({
  label,
  value,
  integer,
  min,
  max,
  onChange
}: {
  label: string
  value: unknown
  integer?: boolean
  min?: number
  max?: number
  onChange: (value: number | undefined) => void
}) {
  // Keep "1.50" for 1.5, and an entry that is not a number yet while the value is unset.
  const [text, setText] = useDraftText(
    value,
    (current) => (typeof current === 'number' ? String(current) : ''),
    (current, next) =>
      typeof next === 'number' ? Number(current) === next : next !== undefined || current === '' || Number.isNaN(Number(current))
  )
  return (
    <TextField
      label={label}
      type="number"
      inputMode={integer ? 'numeric' : 'decimal'}
      step={integer ? 1 : 'any'}
      min={min}
      max={max}
      value={text}
      onChange={(event) => {
        setText(event.target.value)
        const number = Number(event.target.value)
        if (event.target.value === '') onChange(undefined)
        else if (!Number.isNaN(number)) onChange(integer ? Math.trunc(number) : number)
      }}
    />
  )
}

function AcceptSetting({ value, onChange }: { value: unknown; onChange: (value: string[] | undefined) => void }) {
  const list = Array.isArray(value) ? (value as string[]) : []
  const [text, setText] = useState(list.join(', '))
  return (
    <TextField
      label={t('editors.field.accept')}
      hint={t('editors.field.accept_hint')}
      value={text}
      onChange={(event) => {
        setText(event.target.value)
        const items = event.target.value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
        onChange(items.length ? items : undefined)
      }}
    />
  )
}

function OptionsEditor({ options, onChange }: { options: Option[]; onChange: (options: Option[]) => void }) {
  const set = (index: number, option: Option) => onChange(options.map((item, i) => (i === index ? option : item)))
  const values = options.map((option) => option.value)
  return (
    <fieldset className="options-editor">
      <legend>{t('editors.options.title')}</legend>
      {options.length === 0 && <p className="hint">{t('editors.options.empty')}</p>}
      <ol>
        {options.map((option, index) => {
          const duplicate = values.indexOf(option.value) !== index
          const invalid = !/^[a-z0-9_-]{1,64}$/.test(option.value)
          const error = duplicate
            ? t('editors.options.duplicate')
            : invalid && option.value !== ''
              ? t('editors.options.invalid')
              : undefined
          const n = index + 1
          return (
            <li key={index} className="option-row" aria-label={t('editors.options.option_n', { n })}>
              <TextField
                label={t('editors.options.value_n', { n })}
                value={option.value}
                error={error}
                onChange={(event) => set(index, { ...option, value: event.target.value.trim() })}
              />
              <TextField
                label={t('editors.options.label_vi_n', { n })}
                lang="vi"
                value={option.label?.vi ?? ''}
                onChange={(event) => set(index, { ...option, label: { ...option.label, vi: event.target.value } })}
              />
              <TextField
                label={t('editors.options.label_en_n', { n })}
                lang="en"
                value={option.label?.en ?? ''}
                onChange={(event) => {
                  const label: Label = { ...option.label, en: event.target.value }
                  if (!event.target.value) delete label.en
                  set(index, { ...option, label })
                }}
              />
              <span className="card-tools">
                <button type="button" disabled={index === 0} aria-label={t('editors.options.up_n', { n })} onClick={() => onChange(moveItem(options, index, index - 1))}>
                  ↑
                </button>
                <button type="button" disabled={index === options.length - 1} aria-label={t('editors.options.down_n', { n })} onClick={() => onChange(moveItem(options, index, index + 1))}>
                  ↓
                </button>
                <button type="button" className="danger" aria-label={t('editors.options.remove_n', { n })} onClick={() => onChange(options.filter((_, i) => i !== index))}>
                  {t('common.delete')}
                </button>
              </span>
            </li>
          )
        })}
      </ol>
      <button type="button" onClick={() => onChange([...options, { value: '', label: { vi: '' } }])}>
        {t('editors.options.add')}
      </button>
    </fieldset>
  )
}

function UsageTable({ usages }: { usages: Usage[] }) {
  return (
    <table className="list usages">
      <thead>
        <tr>
          <th scope="col">{t('editors.usage.kind')}</th>
          <th scope="col">{t('editors.usage.definition')}</th>
          <th scope="col">{t('editors.usage.path')}</th>
        </tr>
      </thead>
      <tbody>
        {usages.map((usage, index) => (
          <tr key={index}>
            <td>{t(`editors.kind.${usage.kind}`)}</td>
            <td>
              <code>{usage.key}</code>
            </td>
            <td>
              <code>{usage.path}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function useUsages(appKey: string, entity: string, field: string) {
  // The usages of the saved draft: they do not change with the edits on this page.
  const { data, error, loading } = useAsync((signal) => loadUsages(appKey, entity, field, signal), [appKey, entity, field])
  return { usages: loading || error ? undefined : data, error }
}

function RenameWarning({ appKey, entity, from, to }: { appKey: string; entity: EntityDoc; from: string; to: string }) {
  const { usages, error } = useUsages(appKey, entity.key, from)
  const elsewhere = usages?.filter((usage) => !(usage.kind === 'entity' && usage.key === entity.key))
  return (
    <div className="warning" role="note">
      <p>{t('editors.entity.renamed', { from, to })}</p>
      {error !== undefined && <ErrorMessage error={error} />}
      {!usages && error === undefined && <Loading />}
      {elsewhere && elsewhere.length === 0 && <p>{t('editors.usage.none')}</p>}
      {elsewhere && elsewhere.length > 0 && (
        <>
          <p>{t('editors.entity.renamed_usages')}</p>
          <UsageTable usages={elsewhere} />
        </>
      )}
    </div>
  )
}

function DeleteField({
  appKey,
  entity,
  field,
  onCancel,
  onConfirm
}: {
  appKey: string
  entity: EntityDoc
  field: string
  onCancel: () => void
  onConfirm: () => void
}) {
  const { usages, error } = useUsages(appKey, entity.key, field)
  return (
    <div className="delete-field">
      {!usages && error === undefined && <Loading text={t('editors.usage.loading')} />}
      {error !== undefined && (
        <>
          <p>{t('editors.usage.failed')}</p>
          <ErrorMessage error={error} />
        </>
      )}
      {usages && usages.length === 0 && <p>{t('editors.usage.none')}</p>}
      {usages && usages.length > 0 && (
        <>
          <p className="warning-text">{t('editors.usage.used', { count: usages.length })}</p>
          <UsageTable usages={usages} />
        </>
      )}
      <p>{t('editors.entity.delete_hint')}</p>
      <div className="actions">
        <button type="button" className="danger" onClick={onConfirm} disabled={!usages && error === undefined}>
          {t('editors.entity.delete_confirm')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </div>
  )
}
