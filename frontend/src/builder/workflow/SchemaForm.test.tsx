import { fireEvent, render, screen } from '@testing-library/react'
import { useState } from 'react'
import { describe, expect, it } from 'vitest'
import { setLanguage } from '../i18n'
import '../messages'
import './messages'
import { SchemaForm, schemaHint, type Schema } from './SchemaForm'

const schema: Schema = {
  type: 'object',
  required: ['outcome'],
  properties: {
    label: { $ref: 'common.schema.json#/$defs/label' },
    outcome: { $ref: 'common.schema.json#/$defs/key' },
    channel: { enum: ['email', 'sms', 'in_app'] },
    retries: { type: 'integer' },
    working_days: { type: 'boolean' },
    store: { type: 'array', items: { $ref: 'common.schema.json#/$defs/key' } },
    timeout: { type: 'object', properties: { duration: { type: 'string' }, working_days: { type: 'boolean' } } },
    to: { type: 'object', oneOf: [{ required: ['a'] }, { required: ['b'] }] }
  }
}

function Harness({ initial, seen }: { initial: Record<string, unknown>; seen: Record<string, unknown>[] }) {
  const [value, setValue] = useState(initial)
  return (
    <SchemaForm
      schema={schema}
      value={value}
      skip={['label']}
      fields={[]}
      onChange={(next) => {
        seen.push(next)
        setValue(next)
      }}
    />
  )
}

describe('SchemaForm', () => {
  it('draws inputs from the schema and keeps keys it does not show', () => {
    setLanguage('en')
    const seen: Record<string, unknown>[] = []
    render(<Harness initial={{ id: 'x', type: 'notify', mystery: 1, outcome: 'done' }} seen={seen} />)
    expect(screen.queryByText('Step name')).toBeNull() // label skipped
    fireEvent.change(screen.getByLabelText('Outcome *'), { target: { value: 'Bad Key' } })
    expect(screen.getByText('The value has the wrong format.')).toBeTruthy()
    fireEvent.change(screen.getByLabelText('Channel'), { target: { value: 'sms' } })
    fireEvent.change(screen.getByLabelText('retries'), { target: { value: '3' } })
    fireEvent.click(screen.getAllByLabelText('Count working days')[0])
    fireEvent.change(screen.getByLabelText('Fields stored'), { target: { value: 'a, b' } })
    fireEvent.change(screen.getByLabelText('Duration'), { target: { value: 'P2D' } })
    expect(seen.at(-1)).toEqual({
      id: 'x',
      type: 'notify',
      mystery: 1,
      outcome: 'Bad Key',
      channel: 'sms',
      retries: 3,
      working_days: true,
      store: ['a', 'b'],
      timeout: { duration: 'P2D' }
    })
    setLanguage('vi')
  })

  it('edits complex values as JSON, applied only when valid', () => {
    setLanguage('en')
    const seen: Record<string, unknown>[] = []
    render(<Harness initial={{ to: { a: 1 } }} seen={seen} />)
    const area = screen.getByLabelText<HTMLTextAreaElement>('Recipients')
    expect(JSON.parse(area.value)).toEqual({ a: 1 })
    fireEvent.change(area, { target: { value: '{"b": ' } })
    expect(screen.getByText('Not valid JSON; the change is not applied.')).toBeTruthy()
    expect(seen).toHaveLength(0)
    fireEvent.change(area, { target: { value: '{"b": 2}' } })
    expect(seen.at(-1)).toEqual({ to: { b: 2 } })
    expect(screen.queryByText('Not valid JSON; the change is not applied.')).toBeNull()
    setLanguage('vi')
  })
})

describe('schemaHint', () => {
  it('translates the hints it knows and keeps the server description otherwise', () => {
    setLanguage('vi')
    const duration = { type: 'string', pattern: '^P(?!$)(\\d+W)?(\\d+D)?$', description: 'ISO 8601 duration in weeks' }
    expect(schemaHint('duration', duration)).toContain('P3D là 3 ngày')
    expect(schemaHint('set', { type: 'object', description: 'Field key → JSON Logic' })).toContain('JSON Logic cho ra giá trị')
    expect(schemaHint('other', { type: 'string', description: 'Server text' })).toBe('Server text')
    expect(schemaHint('other', { type: 'string' })).toBeUndefined()
    setLanguage('en')
    expect(schemaHint('duration', duration)).toContain('P3D is 3 days')
    setLanguage('vi')
  })
})
