// The form editor (/builder/apps/:app/form/:key): the form's name, audience, workflow and
// entity; its steps (add, rename, reorder, delete); the entity fields placed in each step
// (add, drag within and between steps, move with buttons); per placed field its label,
// widget and rules (visible_if, required_if, validations) with the RuleEditor; and a live
// preview drawn by the server exactly as the citizen portal draws the form.
import { type DragEvent, useEffect, useId, useMemo, useState } from 'react'
import { ApiError, type Label, api, appPath, loadDefinition } from '../api'
import { useAsync } from '../hooks'
import { useRoute } from '../router'
import { label as labelText, t, useLanguage } from '../i18n'
import type { EntityDoc, EntityField, FormDoc, FormField, FormStep } from '../types'
import { ErrorMessage, FindingList, KEY_PATTERN, LabelInput, Loading, TextField } from '../ui'
import { Breadcrumbs, SaveBar, Unavailable, moveItem } from './EntityEditor'
import './editors.css'
import './messages'
import { type RuleField, RuleEditor, ruleSummary } from './RuleEditor'
import { findingsAt, useDefinition, useRevealLink } from './useDefinition'

/** Widgets a form field may choose, by entity field type (docs/definition-format.md). */
const WIDGETS: Record<string, string[]> = {
  choice: ['select', 'radio'],
  agency: ['select', 'radio'],
  multi_choice: ['checkboxes', 'select'],
  text: ['input', 'textarea'],
  long_text: ['textarea', 'input']
}

export function ruleFields(entity: EntityDoc | undefined): RuleField[] {
  return (entity?.fields ?? []).map((field) => ({
    key: field.key,
    label: labelText(field.label, field.key),
    type: field.type,
    options: Array.isArray(field.options)
      ? field.options.map((option) => ({ value: option.value, label: labelText(option.label, option.value) }))
      : undefined
  }))
}

/** Move a placed field to (step, index); index past the end appends. */
export function moveField(steps: FormStep[], from: [number, number], to: [number, number]): FormStep[] {
  const [fromStep, fromIndex] = from
  const [toStep, target] = to
  let toIndex = target
  const item = steps[fromStep]?.fields[fromIndex]
  if (!item || !steps[toStep]) return steps
  const next = steps.map((step) => ({ ...step, fields: [...(step.fields ?? [])] }))
  next[fromStep].fields.splice(fromIndex, 1)
  if (fromStep === toStep && fromIndex < toIndex) toIndex -= 1
  toIndex = Math.max(0, Math.min(toIndex, next[toStep].fields.length))
  next[toStep].fields.splice(toIndex, 0, item)
  return next
}

function nextStepKey(steps: FormStep[]): string {
  const keys = new Set(steps.map((step) => step.key))
  let n = steps.length + 1
  while (keys.has(`step_${n}`)) n += 1
  return `step_${n}`
}

/**
 * What a deep link names (?step=<key or index>, ?field=<field key, or index in that step>):
 * the step's index and, when a placed field is named, its field key. Unknown: nothing.
 */
export function linkTarget(
  steps: FormStep[],
  step: string | null,
  field: string | null
): { step?: number; field?: string } {
  const list = Array.isArray(steps) ? steps : []
  let stepIndex: number | undefined
  if (step) {
    stepIndex = list.findIndex((item) => item.key === step)
    if (stepIndex < 0) stepIndex = /^\d+$/.test(step) && Number(step) < list.length ? Number(step) : undefined
  }
  if (field) {
    if (stepIndex !== undefined && /^\d+$/.test(field)) {
      const placed = list[stepIndex].fields?.[Number(field)]
      if (placed) return { step: stepIndex, field: placed.field }
    }
    const holder = list.findIndex((item) => (item.fields ?? []).some((placed) => placed.field === field))
    if (holder >= 0) return { step: holder, field }
  }
  return stepIndex === undefined ? {} : { step: stepIndex }
}

export function placedToggleId(field: string): string {
  return `form-field-${field}`
}

export function stepHeadingId(index: number): string {
  return `step-heading-${index}`
}

type DefinitionList = { definitions: { kind: string; key: string; label: string }[] }

export default function FormEditor({ appKey, definitionKey }: { appKey: string; definitionKey: string }) {
  const language = useLanguage()
  const editor = useDefinition<FormDoc>(appKey, 'form', definitionKey)
  const doc = editor.document
  const entityKey = doc?.entity
  const entity = useAsync(
    async () => (entityKey ? ((await loadDefinition(appKey, 'entity', entityKey)).document as EntityDoc) : undefined),
    [appKey, entityKey]
  )
  const list = useAsync(
    async (signal) => (await api<DefinitionList>('GET', `${appPath(appKey)}definitions/`, { signal })).data,
    [appKey, language] // the server names definitions in the request's language
  )
  const [openFields, setOpenFields] = useState<Set<string>>(new Set())
  const fields = useMemo(() => ruleFields(entity.data), [entity.data])
  // ?step= / ?field= (a link from a finding): open and bring into view what it names.
  const query = useRoute().query
  const [linkStep, linkField] = [query.get('step'), query.get('field')]
  const wanted = linkStep || linkField ? `${linkStep ?? ''}\n${linkField ?? ''}` : ''
  useRevealLink(!editor.loading && !!doc, wanted, () => {
    const found = linkTarget(doc?.steps ?? [], linkStep || null, linkField || null)
    if (found.field !== undefined) {
      const key = found.field
      setOpenFields((current) => new Set(current).add(key))
      return placedToggleId(key)
    }
    return found.step !== undefined ? stepHeadingId(found.step) : undefined
  })

  if (editor.loading || !doc) {
    return <Unavailable editor={editor} appKey={appKey} notFound={t('editors.form.not_found', { key: definitionKey })} />
  }

  const steps = Array.isArray(doc.steps) ? doc.steps : []
  const setSteps = (change: (steps: FormStep[]) => FormStep[]) =>
    editor.update((current) => ({ ...current, steps: change(current.steps ?? []) }))
  const setStep = (index: number, step: FormStep) =>
    setSteps((current) => current.map((item, i) => (i === index ? step : item)))
  const setPlaced = (stepIndex: number, fieldIndex: number, field: FormField) =>
    setSteps((current) =>
      current.map((step, i) =>
        i === stepIndex ? { ...step, fields: step.fields.map((item, j) => (j === fieldIndex ? field : item)) } : step
      )
    )
  const placed = new Set(steps.flatMap((step) => (step.fields ?? []).map((item) => item.field)))
  const unplaced = (entity.data?.fields ?? []).filter((field) => !placed.has(field.key))
  const definitions = list.data?.definitions ?? []
  const workflows = definitions.filter((item) => item.kind === 'workflow')
  const entities = definitions.filter((item) => item.kind === 'entity')
  const setProperty = (name: string, value: unknown) =>
    editor.update((current) => {
      const next = { ...current }
      if (value === undefined || value === '') delete next[name]
      else next[name] = value
      return next
    })
  const generalFindings = findingsAt(editor.saveError, '').filter((finding) => !/steps\/\d+/.test(finding.path ?? ''))
  const toggleField = (key: string) =>
    setOpenFields((current) => {
      const next = new Set(current)
      if (next.has(key)) next.delete(key)
      else next.add(key)
      return next
    })

  return (
    <main id="main" className="page wide editor-page">
      <Breadcrumbs appKey={appKey} />
      <h1>
        {t('editors.form.title')}: {labelText(doc.label, doc.key)}
      </h1>
      <SaveBar editor={editor} />
      {editor.saveError !== undefined && <ErrorMessage error={editor.saveError} onReload={editor.reload} />}
      <div className="form-editor-layout">
        <div className="form-editor-main">
          <section className="panel editor-section" aria-labelledby="form-general">
            <h2 id="form-general">{t('editors.general')}</h2>
            <p className="muted">
              {t('common.key')}: <code>{doc.key}</code>
            </p>
            {generalFindings.length > 0 && <FindingList findings={generalFindings} />}
            <LabelInput
              label={t('editors.form.name')}
              value={doc.label}
              required
              onChange={(value) => editor.update((current) => ({ ...current, label: value }))}
            />
            <LabelInput
              label={t('editors.description')}
              value={doc.description as Label | undefined}
              onChange={(value) => setProperty('description', value.vi || value.en ? value : undefined)}
            />
            <div className="row">
              <Select
                label={t('editors.form.audience')}
                value={doc.audience ?? 'public'}
                options={[
                  ['public', t('editors.form.audience_public')],
                  ['staff', t('editors.form.audience_staff')]
                ]}
                onChange={(value) => setProperty('audience', value)}
              />
              <Select
                label={t('editors.form.workflow')}
                value={doc.workflow ?? ''}
                options={[
                  ['', t('editors.form.no_workflow')],
                  ...(doc.workflow && !workflows.some((item) => item.key === doc.workflow)
                    ? [[doc.workflow, doc.workflow] as [string, string]]
                    : []),
                  ...workflows.map((item) => [item.key, `${item.label} (${item.key})`] as [string, string])
                ]}
                onChange={(value) => setProperty('workflow', value)}
              />
              <Select
                label={t('editors.form.entity')}
                value={doc.entity ?? ''}
                options={[
                  ...(!entities.some((item) => item.key === doc.entity) ? [[doc.entity ?? '', doc.entity ?? ''] as [string, string]] : []),
                  ...entities.map((item) => [item.key, `${item.label} (${item.key})`] as [string, string])
                ]}
                onChange={(value) => setProperty('entity', value)}
              />
            </div>
            {list.error && <ErrorMessage error={list.error} onRetry={list.reload} />}
          </section>

          {entity.error && (
            <div className="error" role="alert">
              <strong>
                {entity.error instanceof ApiError && entity.error.status === 404
                  ? t('editors.form.entity_missing', { key: entityKey ?? '' })
                  : entity.error.message}
              </strong>
            </div>
          )}

          <StepsEditor
            steps={steps}
            entity={entity.data}
            unplaced={unplaced}
            fields={fields}
            openFields={openFields}
            saveError={editor.saveError}
            onToggleField={toggleField}
            onSteps={setSteps}
            onStep={setStep}
            onPlaced={setPlaced}
          />
        </div>
        <Preview appKey={appKey} form={doc} entity={entity.data} />
      </div>
    </main>
  )
}

function Select({
  label,
  value,
  options,
  onChange
}: {
  label: string
  value: string
  options: [string, string][]
  onChange: (value: string) => void
}) {
  const id = useId()
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {options.map(([key, text]) => (
          <option key={key} value={key}>
            {text}
          </option>
        ))}
      </select>
    </div>
  )
}

type Drag = { step: number; index: number }

function StepsEditor({
  steps,
  entity,
  unplaced,
  fields,
  openFields,
  saveError,
  onToggleField,
  onSteps,
  onStep,
  onPlaced
}: {
  steps: FormStep[]
  entity: EntityDoc | undefined
  unplaced: EntityField[]
  fields: RuleField[]
  openFields: Set<string>
  saveError: unknown
  onToggleField: (key: string) => void
  onSteps: (change: (steps: FormStep[]) => FormStep[]) => void
  onStep: (index: number, step: FormStep) => void
  onPlaced: (step: number, index: number, field: FormField) => void
}) {
  const [drag, setDrag] = useState<Drag | undefined>(undefined)
  const [over, setOver] = useState<string | undefined>(undefined)
  // A step being dragged by its handle (its index): dropped on another step, it takes its place.
  const [stepDrag, setStepDrag] = useState<number | undefined>(undefined)

  function drop(event: DragEvent, step: number, index: number) {
    event.preventDefault()
    event.stopPropagation()
    setOver(undefined)
    const carried = event.dataTransfer.getData('text/plain')
    const movedStep = stepDrag ?? (carried.startsWith('step:') ? Number(carried.slice(5)) : undefined)
    if (movedStep !== undefined) {
      setStepDrag(undefined)
      setDrag(undefined)
      if (!Number.isNaN(movedStep)) onSteps((current) => moveItem(current, movedStep, step))
      return
    }
    let from = drag
    if (!from) {
      const [s, i] = event.dataTransfer.getData('text/plain').split(':').map(Number)
      if (!Number.isNaN(s) && !Number.isNaN(i)) from = { step: s, index: i }
    }
    setDrag(undefined)
    if (from) onSteps((current) => moveField(current, [from.step, from.index], [step, index]))
  }

  return (
    <section className="editor-section" aria-labelledby="form-steps">
      <h2 id="form-steps">{t('editors.form.steps')}</h2>
      {steps.map((step, stepIndex) => {
        const stepName = labelText(step.label, step.key)
        const keyTaken = steps.some((other, i) => i !== stepIndex && other.key === step.key)
        const keyError = !KEY_PATTERN.test(step.key)
          ? t('common.key_invalid')
          : keyTaken
            ? t('editors.form.step_key_taken')
            : undefined
        const stepFindings = findingsAt(saveError, `steps/${stepIndex}`).filter(
          (finding) => !/steps\/\d+\/fields\/\d+/.test(finding.path ?? '')
        )
        const headingId = stepHeadingId(stepIndex)
        return (
          <section
            key={stepIndex}
            className={`panel step${over === `${stepIndex}:end` || over === `step:${stepIndex}` ? ' drop-target' : ''}${
              stepDrag === stepIndex ? ' dragging' : ''
            }`}
            aria-labelledby={headingId}
            onDragOver={(event) => {
              if (stepDrag !== undefined) {
                event.preventDefault()
                setOver(`step:${stepIndex}`)
                return
              }
              if (!drag) return
              event.preventDefault()
              setOver(`${stepIndex}:end`)
            }}
            onDrop={(event) => drop(event, stepIndex, step.fields?.length ?? 0)}
          >
            <div className="card-head">
              <span
                className="drag-handle step-drag-handle"
                draggable
                aria-hidden="true"
                title={t('editors.form.drag_step_hint')}
                onDragStart={(event) => {
                  event.dataTransfer.effectAllowed = 'move'
                  event.dataTransfer.setData('text/plain', `step:${stepIndex}`)
                  setStepDrag(stepIndex)
                }}
                onDragEnd={() => {
                  setStepDrag(undefined)
                  setOver(undefined)
                }}
              >
                ⠿
              </span>
              <h3 id={headingId} tabIndex={-1}>
                {t('editors.form.step_n', { n: stepIndex + 1, name: stepName })}
              </h3>
              <span className="card-tools">
                <button
                  type="button"
                  disabled={stepIndex === 0}
                  aria-label={t('editors.move_up_named', { name: stepName })}
                  onClick={() => onSteps((current) => moveItem(current, stepIndex, stepIndex - 1))}
                >
                  ↑
                </button>
                <button
                  type="button"
                  disabled={stepIndex === steps.length - 1}
                  aria-label={t('editors.move_down_named', { name: stepName })}
                  onClick={() => onSteps((current) => moveItem(current, stepIndex, stepIndex + 1))}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="danger"
                  disabled={steps.length === 1}
                  aria-label={t('editors.form.delete_step_named', { name: stepName })}
                  onClick={() => {
                    if (!step.fields?.length || window.confirm(t('editors.form.delete_step_confirm', { name: stepName }))) {
                      onSteps((current) => current.filter((_, i) => i !== stepIndex))
                    }
                  }}
                >
                  {t('editors.form.delete_step')}
                </button>
              </span>
            </div>
            {stepFindings.length > 0 && <FindingList findings={stepFindings} />}
            <div className="row">
              <TextField
                label={t('editors.form.step_key')}
                value={step.key}
                error={keyError}
                onChange={(event) => onStep(stepIndex, { ...step, key: event.target.value.trim() })}
              />
            </div>
            <LabelInput
              label={t('editors.form.step_name')}
              value={step.label}
              required
              onChange={(value) => onStep(stepIndex, { ...step, label: value })}
            />
            <h4>{t('editors.form.step_fields')}</h4>
            {(step.fields ?? []).length === 0 && <p className="hint drop-hint">{t('editors.form.step_empty')}</p>}
            <ol className="card-list" aria-label={t('editors.form.fields_of', { name: stepName })}>
              {(step.fields ?? []).map((placed, fieldIndex) => (
                <PlacedField
                  key={placed.field}
                  placed={placed}
                  entityField={entity?.fields.find((field) => field.key === placed.field)}
                  entityLoaded={!!entity}
                  fields={fields}
                  steps={steps}
                  stepIndex={stepIndex}
                  fieldIndex={fieldIndex}
                  count={step.fields.length}
                  open={openFields.has(placed.field)}
                  findings={findingsAt(saveError, `steps/${stepIndex}/fields/${fieldIndex}`)}
                  over={over === `${stepIndex}:${fieldIndex}`}
                  dragging={drag?.step === stepIndex && drag.index === fieldIndex}
                  onToggle={() => onToggleField(placed.field)}
                  onChange={(next) => onPlaced(stepIndex, fieldIndex, next)}
                  onMove={(to) => onSteps((current) => moveField(current, [stepIndex, fieldIndex], to))}
                  onRemove={() =>
                    onStep(stepIndex, { ...step, fields: step.fields.filter((_, i) => i !== fieldIndex) })
                  }
                  onDragStart={(event) => {
                    event.dataTransfer.effectAllowed = 'move'
                    event.dataTransfer.setData('text/plain', `${stepIndex}:${fieldIndex}`)
                    setDrag({ step: stepIndex, index: fieldIndex })
                  }}
                  onDragEnd={() => {
                    setDrag(undefined)
                    setOver(undefined)
                  }}
                  onDragOver={(event) => {
                    if (!drag) return
                    event.preventDefault()
                    event.stopPropagation()
                    setOver(`${stepIndex}:${fieldIndex}`)
                  }}
                  onDrop={(event) => drop(event, stepIndex, fieldIndex)}
                />
              ))}
            </ol>
            <AddPlacedField
              stepName={stepName}
              unplaced={unplaced}
              onAdd={(keys) =>
                onStep(stepIndex, { ...step, fields: [...(step.fields ?? []), ...keys.map((field) => ({ field }))] })
              }
            />
          </section>
        )
      })}
      <div className="actions">
        <button
          type="button"
          onClick={() =>
            onSteps((current) => [
              ...current,
              {
                key: nextStepKey(current),
                label: { vi: `Bước ${current.length + 1}`, en: `Step ${current.length + 1}` },
                fields: []
              }
            ])
          }
        >
          {t('editors.form.add_step')}
        </button>
      </div>
    </section>
  )
}

function AddPlacedField({
  stepName,
  unplaced,
  onAdd
}: {
  stepName: string
  unplaced: EntityField[]
  onAdd: (keys: string[]) => void
}) {
  const id = useId()
  const [choice, setChoice] = useState('')
  const selected = unplaced.some((field) => field.key === choice) ? choice : (unplaced[0]?.key ?? '')
  if (!unplaced.length) return <p className="hint">{t('editors.form.all_placed')}</p>
  return (
    <div className="add-placed">
      <div className="field">
        <label htmlFor={id}>{t('editors.form.unplaced', { name: stepName })}</label>
        <select id={id} value={selected} onChange={(event) => setChoice(event.target.value)}>
          {unplaced.map((field) => (
            <option key={field.key} value={field.key}>
              {labelText(field.label, field.key)} ({field.key})
            </option>
          ))}
        </select>
      </div>
      <button type="button" onClick={() => selected && onAdd([selected])} aria-label={t('editors.form.add_field_named', { name: stepName })}>
        {t('editors.form.add_field')}
      </button>
      <button type="button" onClick={() => onAdd(unplaced.map((field) => field.key))} aria-label={t('editors.form.add_all_named', { name: stepName })}>
        {t('editors.form.add_all')}
      </button>
    </div>
  )
}

function PlacedField({
  placed,
  entityField,
  entityLoaded,
  fields,
  steps,
  stepIndex,
  fieldIndex,
  count,
  open,
  findings,
  over,
  dragging,
  onToggle,
  onChange,
  onMove,
  onRemove,
  onDragStart,
  onDragEnd,
  onDragOver,
  onDrop
}: {
  placed: FormField
  entityField: EntityField | undefined
  entityLoaded: boolean
  fields: RuleField[]
  steps: FormStep[]
  stepIndex: number
  fieldIndex: number
  count: number
  open: boolean
  findings: ReturnType<typeof findingsAt>
  over: boolean
  dragging: boolean
  onToggle: () => void
  onChange: (field: FormField) => void
  onMove: (to: [number, number]) => void
  onRemove: () => void
  onDragStart: (event: DragEvent) => void
  onDragEnd: () => void
  onDragOver: (event: DragEvent) => void
  onDrop: (event: DragEvent) => void
}) {
  const id = useId()
  const name = labelText(placed.label, '') || labelText(entityField?.label, placed.field)
  const set = (property: string, value: unknown) => {
    const next = { ...placed }
    if (value === undefined) delete next[property]
    else next[property] = value
    onChange(next)
  }
  const widgets = WIDGETS[entityField?.type ?? ''] ?? []
  const validations = Array.isArray(placed.validations) ? placed.validations : []
  const rulesText = [
    placed.visible_if !== undefined && `${t('editors.form.visible_if')}: ${ruleSummary(placed.visible_if, fields)}`,
    placed.required_if !== undefined && `${t('editors.form.required_if')}: ${ruleSummary(placed.required_if, fields)}`
  ].filter(Boolean)

  return (
    <li
      className={`card${over ? ' drop-target' : ''}${dragging ? ' dragging' : ''}${findings.length ? ' has-findings' : ''}`}
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      <div className="card-head">
        <span className="drag-handle" draggable aria-hidden="true" title={t('editors.drag_hint')} onDragStart={onDragStart} onDragEnd={onDragEnd}>
          ⠿
        </span>
        <button type="button" id={placedToggleId(placed.field)} className="card-title" aria-expanded={open} onClick={onToggle}>
          <span className="chevron" aria-hidden="true" />
          <strong>{name}</strong> <code>{placed.field}</code>
          {entityField && <span className="badge-type">{t(`editors.type.${entityField.type}`)}</span>}
          {rulesText.length > 0 && <small className="rule-summary-inline">{rulesText.join(' · ')}</small>}
        </button>
        <span className="card-tools">
          <button type="button" disabled={fieldIndex === 0} aria-label={t('editors.move_up_named', { name })} onClick={() => onMove([stepIndex, fieldIndex - 1])}>
            ↑
          </button>
          <button type="button" disabled={fieldIndex === count - 1} aria-label={t('editors.move_down_named', { name })} onClick={() => onMove([stepIndex, fieldIndex + 2])}>
            ↓
          </button>
          {steps.length > 1 && (
            <select
              aria-label={t('editors.form.move_to_step_named', { name })}
              value=""
              onChange={(event) => {
                const target = Number(event.target.value)
                if (event.target.value !== '' && target !== stepIndex) onMove([target, steps[target].fields?.length ?? 0])
              }}
            >
              <option value="">{t('editors.form.move_to_step')}</option>
              {steps.map((step, index) =>
                index === stepIndex ? null : (
                  <option key={index} value={index}>
                    {t('editors.form.step_n', { n: index + 1, name: labelText(step.label, step.key) })}
                  </option>
                )
              )}
            </select>
          )}
          <button type="button" className="danger" aria-label={t('editors.form.remove_field_named', { name })} onClick={onRemove}>
            {t('editors.form.remove_field')}
          </button>
        </span>
      </div>
      {entityLoaded && !entityField && <p className="field-error">{t('editors.form.unknown_field', { key: placed.field })}</p>}
      {findings.length > 0 && <FindingList findings={findings} />}
      {open && (
        <div className="card-body">
          <LabelInput
            label={t('editors.form.label_override')}
            value={placed.label}
            onChange={(value) => set('label', value.vi || value.en ? value : undefined)}
          />
          <div className="row">
            {widgets.length > 0 && (
              <div className="field">
                <label htmlFor={`${id}-widget`}>{t('editors.form.widget')}</label>
                <select id={`${id}-widget`} value={placed.widget ?? ''} onChange={(event) => set('widget', event.target.value || undefined)}>
                  <option value="">{t('editors.form.widget_default')}</option>
                  {widgets.map((widget) => (
                    <option key={widget} value={widget}>
                      {t(`editors.widget.${widget}`)}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <div className="field">
              <label htmlFor={`${id}-required`}>{t('editors.form.required')}</label>
              <select
                id={`${id}-required`}
                value={typeof placed.required === 'boolean' ? String(placed.required) : ''}
                onChange={(event) => set('required', event.target.value === '' ? undefined : event.target.value === 'true')}
              >
                <option value="">
                  {t('editors.form.required_inherit', { value: entityField?.required ? t('common.yes') : t('common.no') })}
                </option>
                <option value="true">{t('common.yes')}</option>
                <option value="false">{t('common.no')}</option>
              </select>
            </div>
          </div>
          <RuleEditor label={t('editors.form.visible_if')} value={placed.visible_if} fields={fields} onChange={(rule) => set('visible_if', rule)} />
          <RuleEditor label={t('editors.form.required_if')} value={placed.required_if} fields={fields} onChange={(rule) => set('required_if', rule)} />
          <fieldset className="validations">
            <legend>{t('editors.form.validations')}</legend>
            {validations.map((validation, index) => {
              const n = index + 1
              const change = (next: { rule: unknown; message: Label }) =>
                set(
                  'validations',
                  validations.map((item, i) => (i === index ? { ...item, ...next } : item))
                )
              return (
                <div key={index} className="validation" role="group" aria-label={t('editors.form.validation_n', { n })}>
                  <RuleEditor
                    label={t('editors.form.validation_rule_n', { n })}
                    value={validation.rule}
                    fields={fields}
                    onChange={(rule) => change({ ...validation, rule })}
                  />
                  <LabelInput
                    label={t('editors.form.validation_message_n', { n })}
                    value={validation.message}
                    required
                    onChange={(message) => change({ ...validation, message })}
                  />
                  <button
                    type="button"
                    className="danger"
                    onClick={() => {
                      const rest = validations.filter((_, i) => i !== index)
                      set('validations', rest.length ? rest : undefined)
                    }}
                  >
                    {t('editors.form.remove_validation_n', { n })}
                  </button>
                </div>
              )
            })}
            <button
              type="button"
              onClick={() =>
                set('validations', [...validations, { rule: { '!!': [{ var: placed.field }] }, message: { vi: '' } }])
              }
            >
              {t('editors.form.add_validation')}
            </button>
          </fieldset>
        </div>
      )}
    </li>
  )
}

/** The live preview: the server draws the unsaved form as the citizen portal does. */
function Preview({ appKey, form, entity }: { appKey: string; form: FormDoc; entity: EntityDoc | undefined }) {
  const language = useLanguage() // the preview is drawn in the builder's language
  const [html, setHtml] = useState<string | undefined>(undefined)
  const [problem, setProblem] = useState<unknown>(undefined)
  const [busy, setBusy] = useState(false)
  const body = JSON.stringify({ form, entity })

  useEffect(() => {
    const controller = new AbortController()
    const timer = window.setTimeout(() => {
      setBusy(true)
      const payload: Record<string, unknown> = { form, data: {} }
      if (entity) payload.entity = entity
      api<string>('POST', `${appPath(appKey)}preview/`, { body: payload, text: true, signal: controller.signal })
        .then((result) => {
          setHtml(result.data)
          setProblem(undefined)
        })
        .catch((error: Error) => {
          if (error.name !== 'AbortError') setProblem(error)
        })
        .finally(() => {
          if (!controller.signal.aborted) setBusy(false)
        })
    }, 500)
    return () => {
      window.clearTimeout(timer)
      controller.abort()
    }
    // The body's text stands for form and entity.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [appKey, body, language])

  const missing = problem instanceof ApiError && problem.status === 404
  return (
    <aside className="panel preview-panel" aria-labelledby="form-preview">
      <h2 id="form-preview">
        {t('editors.preview.title')} {busy && <span className="spinner" aria-hidden="true" />}
      </h2>
      {problem !== undefined && (
        <div className={missing ? 'notice' : 'error'} role="status">
          {missing ? (
            t('editors.preview.unavailable')
          ) : (
            <>
              <strong>
                {problem instanceof ApiError && problem.status === 400 ? t('editors.preview.invalid') : (problem as Error).message}
              </strong>
              {problem instanceof ApiError && problem.findings.length > 0 && <FindingList findings={problem.findings} />}
            </>
          )}
        </div>
      )}
      {html !== undefined && (
        <iframe
          title={t('editors.preview.frame')}
          className={`preview-frame${problem !== undefined ? ' stale' : ''}`}
          sandbox="allow-scripts allow-same-origin"
          srcDoc={html}
        />
      )}
      {html === undefined && problem === undefined && <Loading />}
    </aside>
  )
}
