// The rule editor: a JSON Logic rule edited visually, with a raw JSON view for experts.
// Used by the form editor (visible_if, required_if, validations) and the workflow
// inspector (transition conditions, assignment rules). Stable API:
//   <RuleEditor label value onChange fields />
// value: the rule (undefined = no rule); onChange(undefined) removes it.
import { useEffect, useId, useState } from 'react'
import { t } from '../i18n'

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

export function RuleEditor({ label, value, onChange }: RuleEditorProps) {
  const id = useId()
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value, null, 2))
  const [error, setError] = useState('')
  useEffect(() => {
    setText(value === undefined ? '' : JSON.stringify(value, null, 2))
  }, [value])
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        className="code"
        value={text}
        onChange={(event) => {
          setText(event.target.value)
          if (!event.target.value.trim()) {
            setError('')
            onChange(undefined)
            return
          }
          try {
            onChange(JSON.parse(event.target.value))
            setError('')
          } catch {
            setError(t('common.required'))
          }
        }}
      />
      {error && <small className="field-error">{error}</small>}
    </div>
  )
}

export default RuleEditor
