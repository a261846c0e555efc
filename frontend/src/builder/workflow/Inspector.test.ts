import { describe, expect, it } from 'vitest'
import { parseRule } from '../editors/rules'
import { firstCondition } from './Inspector'

describe('a new condition on a connection', () => {
  it('starts on the first field so that the visual editor can show it', () => {
    const fields = [
      { key: 'kind', label: 'Kind', type: 'choice', options: [{ value: 'trim', label: 'Trim' }] },
      { key: 'note', label: 'Note', type: 'text' }
    ]
    const rule = firstCondition(fields)
    expect(rule).toEqual({ '==': [{ var: 'kind' }, 'trim'] })
    expect(parseRule(rule)).toBeDefined()
    expect(parseRule(firstCondition(fields.slice(1)))).toBeDefined()
  })

  it('falls back to an empty comparison when the entity has no fields', () => {
    expect(firstCondition([])).toEqual({ '==': [{ var: '' }, ''] })
  })
})
