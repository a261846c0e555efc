// One input for a sample value of an entity field, by the field's type. An empty input
// means "not set" (undefined); types without a simple input take JSON text.
import { useId, useState } from 'react'
import { sameJson, useDraftText } from '../hooks'
import { label, t } from '../i18n'
import type { EntityField } from '../types'

export interface FieldInputProps {
  field: EntityField
  value: unknown
  onChange: (value: unknown) => void
}

const TEXT_TYPES = ['text', 'agency']

export default function FieldInput({ field, value, onChange }: FieldInputProps) {
  const id = useId()
  const name = label(field.label, field.key)
  // The key is shown next to the label, outside it: the input's name is the label alone.
  const caption = (
    <span className="tests-caption">
      <label htmlFor={id}>{name}</label>{' '}
      <code className="tests-key" aria-hidden="true">
        {field.key}
      </code>
    </span>
  )
  const options = Array.isArray(field.options) ? field.options : []

  if (TEXT_TYPES.includes(field.type) || field.type === 'long_text') {
    const Tag = field.type === 'long_text' ? 'textarea' : 'input'
    return (
      <div className="field">
        {caption}
        <Tag
          id={id}
          value={typeof value === 'string' ? value : ''}
          onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
          rows={field.type === 'long_text' ? 2 : undefined}
        />
      </div>
    )
  }
  if (field.type === 'number') {
    return <NumberInput id={id} caption={caption} value={value} onChange={onChange} />
  }
  if (field.type === 'date') {
    return (
      <div className="field">
        {caption}
        <input
          id={id}
          type="date"
          value={typeof value === 'string' ? value : ''}
          onChange={(event) => onChange(event.target.value || undefined)}
        />
      </div>
    )
  }
  if (field.type === 'boolean' || field.type === 'choice') {
    const current = value === true ? 'true' : value === false ? 'false' : typeof value === 'string' ? value : ''
    return (
      <div className="field">
        {caption}
        <select
          id={id}
          value={current}
          onChange={(event) => {
            const chosen = event.target.value
            if (!chosen) onChange(undefined)
            else if (field.type === 'boolean') onChange(chosen === 'true')
            else onChange(chosen)
          }}
        >
          <option value="">{t('tests.unset')}</option>
          {field.type === 'boolean' ? (
            <>
              <option value="true">{t('common.yes')}</option>
              <option value="false">{t('common.no')}</option>
            </>
          ) : (
            options.map((option) => (
              <option key={option.value} value={option.value}>
                {label(option.label, option.value)}
              </option>
            ))
          )}
        </select>
      </div>
    )
  }
  if (field.type === 'multi_choice') {
    const chosen = Array.isArray(value) ? (value as string[]) : []
    return (
      <fieldset className="field tests-choices">
        <legend>
          {name} <code className="tests-key" aria-hidden="true">{field.key}</code>
        </legend>
        {options.map((option) => (
          <label key={option.value} className="tests-check">
            <input
              type="checkbox"
              checked={chosen.includes(option.value)}
              onChange={(event) => {
                const next = event.target.checked
                  ? options.map((o) => o.value).filter((v) => v === option.value || chosen.includes(v))
                  : chosen.filter((v) => v !== option.value)
                onChange(next.length ? next : undefined)
              }}
            />{' '}
            {label(option.label, option.value)}
          </label>
        ))}
      </fieldset>
    )
  }
  return <JsonInput id={id} caption={caption} value={value} onChange={onChange} />
}

function NumberInput({
  id,
  caption,
  value,
  onChange
}: {
  id: string
  caption: React.ReactNode
  value: unknown
  onChange: (value: unknown) => void
}) {
  // Follow a value changed from outside (another test loaded), not our own typing.
  const [text, setText] = useDraftText(
    value,
    (current) => (typeof current === 'number' ? String(current) : ''),
    (current, next) => parseNumber(current) === next
  )
  const invalid = text.trim() !== '' && parseNumber(text) === undefined
  return (
    <div className={`field${invalid ? ' invalid' : ''}`}>
      {caption}
      <input
        id={id}
        inputMode="decimal"
        value={text}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? `${id}-error` : undefined}
        onChange={(event) => {
          setText(event.target.value)
          const parsed = parseNumber(event.target.value)
          if (event.target.value.trim() === '') onChange(undefined)
          else if (parsed !== undefined) onChange(parsed)
        }}
      />
      {invalid && (
        <small id={`${id}-error`} className="field-error">
          {t('tests.number_invalid')}
        </small>
      )}
    </div>
  )
}

function parseNumber(text: string): number | undefined {
  const cleaned = text.trim().replace(',', '.')
  if (!cleaned || !/^-?\d+(\.\d+)?$/.test(cleaned)) return undefined
  return Number(cleaned)
}

function JsonInput({
  id,
  caption,
  value,
  onChange
}: {
  id: string
  caption: React.ReactNode
  value: unknown
  onChange: (value: unknown) => void
}) {
  const [text, setText] = useDraftText(value, (current) => (current === undefined ? '' : JSON.stringify(current)), sameJson)
  const [invalid, setInvalid] = useState(false)
  return (
    <div className={`field${invalid ? ' invalid' : ''}`}>
      {caption}
      <textarea
        id={id}
        className="code tests-json"
        rows={2}
        value={text}
        aria-invalid={invalid || undefined}
        aria-describedby={`${id}-hint`}
        onChange={(event) => {
          const next = event.target.value
          setText(next)
          if (!next.trim()) {
            setInvalid(false)
            onChange(undefined)
            return
          }
          try {
            const parsed: unknown = JSON.parse(next)
            setInvalid(false)
            onChange(parsed)
          } catch {
            setInvalid(true)
          }
        }}
      />
      <small id={`${id}-hint`} className={invalid ? 'field-error' : 'hint'}>
        {invalid ? t('tests.json_invalid') : t('tests.json_hint')}
      </small>
    </div>
  )
}
