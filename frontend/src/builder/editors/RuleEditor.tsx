// The rule editor: a JSON Logic rule edited visually, with a raw JSON view for experts.
// Used by the form editor (visible_if, required_if, validations) and the workflow
// inspector (transition conditions, assignment rules). Stable API:
//   <RuleEditor label value onChange fields />
// value: the rule (undefined = no rule); onChange(undefined) removes it.
// The visual view is a group "all of"/"any of" of comparisons (field, operator, value),
// optionally nested; a rule it cannot show opens in the JSON view. Invalid JSON or an
// unknown operation is shown inline and never passed to onChange.
import { useId, useState } from 'react'
import { t, useLanguage } from '../i18n'
import './editors.css'
import './messages'
import {
  type Comparison,
  type Condition,
  type Group,
  type Operator,
  type Primitive,
  type RuleProblem,
  checkRawRule,
  defaultValue,
  newComparison,
  operatorsFor,
  parseRule,
  summarizeRule,
  toRule
} from './rules'

export interface RuleField {
  key: string
  label: string
  type: string
  options?: { value: string; label: string }[]
}

export interface RuleEditorProps {
  label: string
  value: unknown
  onChange: (rule: unknown) => void
  fields: RuleField[]
}

/** The words of rule summaries in the current language. */
export function summaryWords() {
  return {
    and: t('editors.rule.word_and'),
    or: t('editors.rule.word_or'),
    yes: t('common.yes'),
    no: t('common.no'),
    filled: t('editors.rule.op.filled'),
    empty: t('editors.rule.op.empty'),
    contains: t('editors.rule.op.contains'),
    in_list: t('editors.rule.op.in_list'),
    raw: t('editors.rule.raw_summary')
  }
}

/** A plain-language text of a rule, for lists ("Loại sự cố = Ngập nước"). */
export function ruleSummary(rule: unknown, fields: RuleField[]): string {
  return summarizeRule(rule, fields, summaryWords())
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

function pretty(rule: unknown): string {
  return rule === undefined ? '' : JSON.stringify(rule, null, 2)
}

export function problemText(problem: RuleProblem): string {
  return t(`editors.rule.problem.${problem.code}`, problem.params)
}

export function RuleEditor({ label, value, onChange, fields }: RuleEditorProps) {
  useLanguage()
  const id = useId()
  const initial = parseRule(value)
  const [mode, setMode] = useState<'visual' | 'json'>(initial ? 'visual' : 'json')
  const [model, setModel] = useState<Group>(initial ?? { kind: 'group', op: 'and', items: [], implicit: true })
  const [text, setText] = useState(pretty(value))
  const [problems, setProblems] = useState<RuleProblem[]>([])
  // The value last given, and the rule this editor last sent out.
  const [seen, setSeen] = useState({ value, emitted: value })

  // A new value from outside (another definition loaded, undo…): show it, in this render.
  if (!Object.is(seen.value, value)) {
    const outside = !same(value, seen.emitted)
    setSeen({ value, emitted: outside ? value : seen.emitted })
    if (outside) {
      const parsed = parseRule(value)
      setText(pretty(value))
      setProblems([])
      if (parsed) setModel(parsed)
      else setMode('json')
    }
  }

  function emit(rule: unknown) {
    setSeen((current) => ({ ...current, emitted: rule }))
    onChange(rule)
  }

  function changeModel(next: Group) {
    setModel(next)
    const rule = toRule(next)
    setText(pretty(rule))
    // A condition still being written (no field yet) is not a rule the server takes:
    // wait until it is complete.
    if (parseRule(rule) || rule === undefined) emit(rule)
  }

  function changeText(next: string) {
    setText(next)
    const result = checkRawRule(next)
    if (!result.ok) {
      setProblems(result.problems)
      return
    }
    setProblems([])
    const parsed = parseRule(result.rule)
    if (parsed) setModel(parsed)
    emit(result.rule)
  }

  const rawCheck = checkRawRule(text)
  const canVisual = rawCheck.ok && parseRule(rawCheck.rule) !== undefined
  const summary = ruleSummary(value, fields)

  return (
    <fieldset className="rule-editor">
      <legend>{label}</legend>
      <div className="rule-head">
        <p className="rule-summary" id={`${id}-summary`}>
          {summary || <span className="muted">{t('editors.rule.none')}</span>}
        </p>
        <div className="rule-modes" role="group" aria-label={t('editors.rule.view')}>
          <button
            type="button"
            aria-pressed={mode === 'visual'}
            disabled={mode !== 'visual' && !canVisual}
            title={mode !== 'visual' && !canVisual ? t('editors.rule.not_visual') : undefined}
            onClick={() => {
              if (rawCheck.ok) {
                const parsed = parseRule(rawCheck.rule)
                if (parsed) setModel(parsed)
              }
              setMode('visual')
            }}
          >
            {t('editors.rule.visual')}
          </button>
          <button type="button" aria-pressed={mode === 'json'} onClick={() => setMode('json')}>
            JSON
          </button>
        </div>
      </div>
      {mode === 'visual' ? (
        <GroupView
          group={model}
          fields={fields}
          top
          onChange={changeModel}
          onRemove={() => changeModel({ ...model, items: [] })}
        />
      ) : (
        <div className={`field${problems.length ? ' invalid' : ''}`}>
          <label htmlFor={`${id}-json`}>{t('editors.rule.json_label', { label })}</label>
          <textarea
            id={`${id}-json`}
            className="code"
            spellCheck={false}
            value={text}
            aria-invalid={problems.length ? true : undefined}
            aria-describedby={problems.length ? `${id}-problems` : undefined}
            onChange={(event) => changeText(event.target.value)}
          />
          {problems.length > 0 && (
            <ul id={`${id}-problems`} className="field-error rule-problems" role="alert">
              {problems.map((problem, index) => (
                <li key={index}>{problemText(problem)}</li>
              ))}
            </ul>
          )}
          {!canVisual && rawCheck.ok && rawCheck.rule !== undefined && (
            <small className="hint">{t('editors.rule.not_visual')}</small>
          )}
        </div>
      )}
      {value !== undefined && (
        <div className="actions">
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setModel({ kind: 'group', op: 'and', items: [], implicit: true })
              setText('')
              setProblems([])
              emit(undefined)
            }}
          >
            {t('editors.rule.clear', { label })}
          </button>
        </div>
      )}
    </fieldset>
  )
}

function GroupView({
  group,
  fields,
  top,
  onChange,
  onRemove
}: {
  group: Group
  fields: RuleField[]
  top?: boolean
  onChange: (group: Group) => void
  onRemove: () => void
}) {
  const id = useId()
  function setItem(index: number, item: Condition) {
    onChange({ ...group, items: group.items.map((current, i) => (i === index ? item : current)) })
  }
  function removeItem(index: number) {
    onChange({ ...group, items: group.items.filter((_, i) => i !== index) })
  }
  return (
    <div className={`rule-group${top ? ' top' : ''}`} role="group" aria-label={top ? t('editors.rule.conditions') : t('editors.rule.subgroup')}>
      {group.items.length > 1 || !top ? (
        <div className="rule-combine">
          <label htmlFor={`${id}-op`}>{t('editors.rule.combine')}</label>
          <select
            id={`${id}-op`}
            value={group.op}
            onChange={(event) => onChange({ ...group, op: event.target.value as 'and' | 'or' })}
          >
            <option value="and">{t('editors.rule.all')}</option>
            <option value="or">{t('editors.rule.any')}</option>
          </select>
        </div>
      ) : null}
      <ol className="rule-items">
        {group.items.map((item, index) => (
          <li key={index}>
            {item.kind === 'group' ? (
              <GroupView
                group={item}
                fields={fields}
                onChange={(next) => setItem(index, next)}
                onRemove={() => removeItem(index)}
              />
            ) : (
              <ComparisonRow
                item={item}
                index={index}
                fields={fields}
                onChange={(next) => setItem(index, next)}
                onRemove={() => removeItem(index)}
              />
            )}
          </li>
        ))}
      </ol>
      <div className="actions">
        <button
          type="button"
          onClick={() => onChange({ ...group, items: [...group.items, newComparison(fields[0])] })}
        >
          {t('editors.rule.add_condition')}
        </button>
        <button
          type="button"
          onClick={() =>
            onChange({
              ...group,
              items: [...group.items, { kind: 'group', op: group.op === 'and' ? 'or' : 'and', items: [newComparison(fields[0])] }]
            })
          }
        >
          {t('editors.rule.add_group')}
        </button>
        {!top && (
          <button type="button" className="danger" onClick={onRemove}>
            {t('editors.rule.remove_group')}
          </button>
        )}
      </div>
    </div>
  )
}

function ComparisonRow({
  item,
  index,
  fields,
  onChange,
  onRemove
}: {
  item: Comparison
  index: number
  fields: RuleField[]
  onChange: (item: Comparison) => void
  onRemove: () => void
}) {
  const id = useId()
  const field = fields.find((candidate) => candidate.key === item.field)
  const operators = operatorsFor(field?.type)
  if (!operators.includes(item.op)) operators.push(item.op)
  const known = !!field || item.field === ''
  const name = t('editors.rule.condition_n', { n: index + 1 })

  function setField(key: string) {
    const next = fields.find((candidate) => candidate.key === key)
    const allowed = operatorsFor(next?.type)
    const op = allowed.includes(item.op) ? item.op : allowed[0]
    onChange({ kind: 'comparison', field: key, op, value: defaultValue(next, op) })
  }

  function setOperator(op: Operator) {
    const kindOf = (o: Operator) => (o === 'filled' || o === 'empty' ? 'none' : o === 'in_list' ? 'list' : 'one')
    const value = kindOf(op) === kindOf(item.op) ? item.value : defaultValue(field, op)
    const next: Comparison = { kind: 'comparison', field: item.field, op, value }
    if (value === undefined) delete next.value
    if (item.bare && kindOf(op) === 'none') next.bare = true
    onChange(next)
  }

  return (
    <div className="rule-row" role="group" aria-label={name}>
      <div className="field">
        <label htmlFor={`${id}-field`}>{t('editors.rule.field')}</label>
        <select id={`${id}-field`} value={item.field} onChange={(event) => setField(event.target.value)}>
          {item.field === '' && <option value="">{t('editors.rule.choose_field')}</option>}
          {!known && <option value={item.field}>{item.field}</option>}
          {fields.map((candidate) => (
            <option key={candidate.key} value={candidate.key}>
              {candidate.label || candidate.key}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-op`}>{t('editors.rule.operator')}</label>
        <select id={`${id}-op`} value={item.op} onChange={(event) => setOperator(event.target.value as Operator)}>
          {operators.map((op) => (
            <option key={op} value={op}>
              {t(`editors.rule.op.${op}`)}
            </option>
          ))}
        </select>
      </div>
      {item.op !== 'filled' && item.op !== 'empty' && (
        <ValueInput item={item} field={field} onChange={(value) => onChange({ ...item, value })} />
      )}
      <button
        type="button"
        className="danger rule-remove"
        aria-label={t('editors.rule.remove_condition_n', { n: index + 1 })}
        onClick={onRemove}
      >
        {t('editors.rule.remove_condition')}
      </button>
    </div>
  )
}

function ValueInput({
  item,
  field,
  onChange
}: {
  item: Comparison
  field: RuleField | undefined
  onChange: (value: Primitive | Primitive[]) => void
}) {
  const id = useId()
  const valueLabel = t('editors.rule.value')
  const options = field?.options ?? []

  if (item.op === 'in_list') {
    const values = Array.isArray(item.value) ? item.value : []
    if (options.length) {
      return (
        <fieldset className="rule-value-list">
          <legend>{valueLabel}</legend>
          {options.map((option) => (
            <label key={option.value} className="check">
              <input
                type="checkbox"
                checked={values.includes(option.value)}
                onChange={(event) =>
                  onChange(
                    event.target.checked
                      ? [...values, option.value]
                      : values.filter((value) => value !== option.value)
                  )
                }
              />{' '}
              {option.label || option.value}
            </label>
          ))}
        </fieldset>
      )
    }
    return (
      <div className="field">
        <label htmlFor={id}>{valueLabel}</label>
        <input
          id={id}
          value={values.join(', ')}
          aria-describedby={`${id}-hint`}
          onChange={(event) =>
            onChange(
              event.target.value
                .split(',')
                .map((part) => part.trim())
                .filter(Boolean)
            )
          }
        />
        <small className="hint" id={`${id}-hint`}>
          {t('editors.rule.list_hint')}
        </small>
      </div>
    )
  }

  const value = Array.isArray(item.value) ? '' : item.value
  if (options.length && (field?.type === 'choice' || field?.type === 'multi_choice' || field?.type === 'agency')) {
    const known = options.some((option) => option.value === value)
    return (
      <div className="field">
        <label htmlFor={id}>{valueLabel}</label>
        <select id={id} value={String(value ?? '')} onChange={(event) => onChange(event.target.value)}>
          {!known && <option value={String(value ?? '')}>{String(value ?? '')}</option>}
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label || option.value}
            </option>
          ))}
        </select>
      </div>
    )
  }
  if (field?.type === 'boolean' || typeof value === 'boolean') {
    return (
      <div className="field">
        <label htmlFor={id}>{valueLabel}</label>
        <select id={id} value={value ? 'true' : 'false'} onChange={(event) => onChange(event.target.value === 'true')}>
          <option value="true">{t('common.yes')}</option>
          <option value="false">{t('common.no')}</option>
        </select>
      </div>
    )
  }
  if (field?.type === 'number' || (!field && typeof value === 'number')) {
    return (
      <div className="field">
        <label htmlFor={id}>{valueLabel}</label>
        <input
          id={id}
          type="number"
          value={value === null || value === undefined ? '' : String(value)}
          onChange={(event) => {
            const number = Number(event.target.value)
            onChange(event.target.value === '' || Number.isNaN(number) ? null : number)
          }}
        />
      </div>
    )
  }
  return (
    <div className="field">
      <label htmlFor={id}>{valueLabel}</label>
      <input
        id={id}
        type={field?.type === 'date' ? 'date' : 'text'}
        value={value === null || value === undefined ? '' : String(value)}
        onChange={(event) => onChange(event.target.value)}
      />
    </div>
  )
}

export default RuleEditor
