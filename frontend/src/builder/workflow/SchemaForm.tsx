// A small JSON Schema form: draws the settings of a node type from its config_schema, so a
// node type the server adds works without front-end changes. Strings, numbers, integers,
// booleans, enums, nested objects and lists of strings get inputs; labels ({vi, en}) a
// LabelInput; rules a RuleEditor; anything more complex a raw JSON text area, checked as
// you type. Values the form does not touch are kept as they are.
import { useId, useState } from 'react'
import type { Label } from '../api'
import { sameJson, useDraftText } from '../hooks'
import { RuleEditor, type RuleField } from '../editors/RuleEditor'
import { t } from '../i18n'
import { LabelInput, TextField } from '../ui'

export type Schema = Record<string, unknown>

/** The text naming a settings key: a translated name when there is one, else the key. */
export function keyName(key: string): string {
  const name = t(`workflow.key.${key}`)
  return name === `workflow.key.${key}` ? key : name
}

/**
 * The help text of a settings key: a translated one when the builder has it (by key name,
 * or for any ISO 8601 duration), else the schema's own description (English, from the
 * server), so that a Vietnamese page does not show English hints it can translate.
 */
export function schemaHint(name: string, schema: Schema): string | undefined {
  const own = t(`workflow.hint.${name}`)
  if (own !== `workflow.hint.${name}`) return own
  if (typeof schema.pattern === 'string' && schema.pattern.startsWith('^P(')) return t('workflow.hint_duration')
  return typeof schema.description === 'string' ? schema.description : undefined
}

function refKind(schema: Schema): 'label' | 'rule' | 'key' | undefined {
  const ref = typeof schema.$ref === 'string' ? schema.$ref : ''
  if (ref.endsWith('/label')) return 'label'
  if (ref.endsWith('/rule')) return 'rule'
  if (ref.endsWith('/key')) return 'key'
  return undefined
}

function schemaType(schema: Schema): string | undefined {
  const type = schema.type
  if (Array.isArray(type)) return type.find((item) => item !== 'null') as string | undefined
  return typeof type === 'string' ? type : undefined
}

function isStringList(schema: Schema): boolean {
  if (schemaType(schema) !== 'array') return false
  const items = (schema.items ?? {}) as Schema
  return schemaType(items) === 'string' || refKind(items) === 'key'
}

function isSimpleObject(schema: Schema): boolean {
  if (schemaType(schema) !== 'object') return false
  if (schema.oneOf || schema.anyOf || schema.allOf) return false
  const properties = schema.properties as Record<string, Schema> | undefined
  if (!properties || typeof schema.additionalProperties === 'object') return false
  return Object.values(properties).every((property) => editable(property) !== 'json')
}

type Editor = 'label' | 'rule' | 'key' | 'string' | 'number' | 'integer' | 'boolean' | 'const' | 'enum' | 'object' | 'list' | 'json'

function editable(schema: Schema): Editor {
  const ref = refKind(schema)
  if (ref) return ref
  if ('const' in schema && schema.const === true) return 'const'
  if (Array.isArray(schema.enum) && schema.enum.every((item) => typeof item === 'string')) return 'enum'
  if (schema.oneOf || schema.anyOf || schema.allOf) return 'json'
  const type = schemaType(schema)
  if (type === 'string') return 'string'
  if (type === 'number') return 'number'
  if (type === 'integer') return 'integer'
  if (type === 'boolean') return 'boolean'
  if (isStringList(schema)) return 'list'
  if (isSimpleObject(schema)) return 'object'
  return 'json'
}

export interface SchemaFormProps {
  schema: Schema
  value: Record<string, unknown>
  onChange: (value: Record<string, unknown>) => void
  /** Keys drawn elsewhere (id, type, label, the task sections). */
  skip?: string[]
  fields: RuleField[]
}

export function SchemaForm({ schema, value, onChange, skip = [], fields }: SchemaFormProps) {
  const properties = (schema.properties ?? {}) as Record<string, Schema>
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : [])
  const keys = Object.keys(properties).filter((key) => !skip.includes(key))
  const set = (key: string, next: unknown) => {
    const copy = { ...value }
    if (next === undefined) delete copy[key]
    else copy[key] = next
    onChange(copy)
  }
  return (
    <>
      {keys.map((key) => (
        <SchemaField
          key={key}
          name={key}
          schema={properties[key]}
          required={required.has(key)}
          value={value[key]}
          onChange={(next) => set(key, next)}
          fields={fields}
        />
      ))}
    </>
  )
}

function SchemaField({
  name,
  schema,
  required,
  value,
  onChange,
  fields
}: {
  name: string
  schema: Schema
  required: boolean
  value: unknown
  onChange: (value: unknown) => void
  fields: RuleField[]
}) {
  const id = useId()
  const title = keyName(name) + (required ? ' *' : '')
  const hint = schemaHint(name, schema)
  switch (editable(schema)) {
    case 'label':
      return <LabelInput label={title} value={value as Label | undefined} onChange={onChange} />
    case 'rule':
      return <RuleEditor label={title} value={value} onChange={onChange} fields={fields} />
    case 'const':
    case 'boolean':
      return (
        <div className="field checkbox">
          <label>
            <input
              type="checkbox"
              checked={value === true}
              onChange={(event) =>
                onChange(event.target.checked ? true : schema.const === true ? undefined : false)
              }
            />{' '}
            {title}
          </label>
          {hint && <small className="hint">{hint}</small>}
        </div>
      )
    case 'enum':
      return (
        <div className="field">
          <label htmlFor={id}>{title}</label>
          <select
            id={id}
            value={typeof value === 'string' ? value : ''}
            onChange={(event) => onChange(event.target.value || undefined)}
          >
            <option value="">{t('workflow.none')}</option>
            {(schema.enum as string[]).map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </div>
      )
    case 'number':
    case 'integer':
      return (
        <TextField
          label={title}
          hint={hint}
          type="number"
          step={editable(schema) === 'integer' ? 1 : 'any'}
          value={typeof value === 'number' ? String(value) : ''}
          onChange={(event) =>
            onChange(event.target.value === '' ? undefined : Number(event.target.value))
          }
        />
      )
    case 'key':
    case 'string': {
      const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern) : editable(schema) === 'key' ? /^[a-z][a-z0-9_]{0,62}$/ : undefined
      const text = typeof value === 'string' ? value : ''
      return (
        <TextField
          label={title}
          hint={hint}
          value={text}
          error={text && pattern && !pattern.test(text) ? t('workflow.invalid_value') : undefined}
          onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
        />
      )
    }
    case 'list':
      return (
        <ListField title={title} hint={hint ? `${hint} ${t('workflow.list_hint')}` : t('workflow.list_hint')} value={value} onChange={onChange} />
      )
    case 'object': {
      const object = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
      return (
        <fieldset>
          <legend>{title}</legend>
          <SchemaForm
            schema={schema}
            value={object}
            fields={fields}
            onChange={(next) => onChange(Object.keys(next).length ? next : undefined)}
          />
        </fieldset>
      )
    }
    default:
      return <JsonField label={title} hint={hint} value={value} onChange={onChange} />
  }
}

function ListField({
  title,
  hint,
  value,
  onChange
}: {
  title: string
  hint: string
  value: unknown
  onChange: (value: unknown) => void
}) {
  const [text, setText] = useDraftText(
    value,
    (current) => listOf(current).join(', '),
    (current, next) => split(current).join(',') === listOf(next).join(',')
  )
  return (
    <TextField
      label={title}
      hint={hint}
      value={text}
      onChange={(event) => {
        setText(event.target.value)
        const items = split(event.target.value)
        onChange(items.length ? items : undefined)
      }}
    />
  )
}

function listOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : []
}

function split(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean)
}

/** Raw JSON for one value, checked as you type; only valid JSON reaches the document. */
export function JsonField({
  label: title,
  hint,
  value,
  onChange
}: {
  label: string
  hint?: string
  value: unknown
  onChange: (value: unknown) => void
}) {
  const id = useId()
  const [text, setText] = useDraftText(
    value,
    (current) => (current === undefined ? '' : JSON.stringify(current, null, 2)),
    sameJson
  )
  const [error, setError] = useState('')
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{title}</label>
      <textarea
        id={id}
        className="code"
        rows={4}
        value={text}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => {
          const next = event.target.value
          setText(next)
          if (!next.trim()) {
            setError('')
            onChange(undefined)
            return
          }
          try {
            onChange(JSON.parse(next))
            setError('')
          } catch {
            setError(t('workflow.invalid_json'))
          }
        }}
      />
      {hint && <small className="hint">{hint}</small>}
      {error && (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      )}
    </div>
  )
}
