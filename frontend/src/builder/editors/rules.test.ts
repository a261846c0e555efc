/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest'
import {
  type Group,
  checkRawRule,
  operatorsFor,
  parseRule,
  renameFieldInRule,
  summarizeRule,
  toRule
} from './rules'

// The example apps shipped with the project (fixtures/apps/*.json).
const FIXTURES = import.meta.glob('../../../../fixtures/apps/*.json', { eager: true, import: 'default' })

/** Every rule of the example apps: visible_if, required_if, validation rules, conditions. */
function fixtureRules(): { where: string; rule: unknown }[] {
  const found: { where: string; rule: unknown }[] = []
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${path}/${index}`))
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (['visible_if', 'required_if', 'rule', 'condition'].includes(key)) found.push({ where: `${path}/${key}`, rule: child })
        walk(child, `${path}/${key}`)
      }
    }
  }
  for (const [name, document] of Object.entries(FIXTURES)) walk(document, name)
  return found
}

const WORDS = {
  and: 'và',
  or: 'hoặc',
  yes: 'Có',
  no: 'Không',
  filled: 'đã được điền',
  empty: 'còn trống',
  contains: 'có chứa',
  in_list: 'là một trong',
  raw: 'Quy tắc JSON'
}

describe('parseRule / toRule', () => {
  it('round-trips every fixture rule it can represent, and only refuses unknown shapes', () => {
    const rules = fixtureRules()
    expect(Object.keys(FIXTURES).length).toBeGreaterThanOrEqual(3)
    expect(rules.length).toBeGreaterThan(10)
    const visual = new Set(['var', '==', '!=', '<', '<=', '>', '>=', 'in', '!', '!!', 'and', 'or'])
    const operations = (value: unknown): string[] =>
      Array.isArray(value)
        ? value.flatMap(operations)
        : value && typeof value === 'object'
          ? Object.entries(value).flatMap(([key, child]) => [key, ...operations(child)])
          : []
    let representable = 0
    for (const { where, rule } of rules) {
      const model = parseRule(rule)
      if (model) {
        representable += 1
        expect(toRule(model), where).toEqual(rule)
      } else {
        // Only rules that compute (substr, *, reduce…) go to the raw view.
        expect(operations(rule).some((op) => !visual.has(op)), where).toBe(true)
      }
    }
    expect(representable).toBeGreaterThanOrEqual(10)
    expect(parseRule({ '<=': [{ var: 'floor_area_m2' }, { '*': [{ var: 'floors' }, 1000] }] })).toBeUndefined()
    expect(parseRule({ in: [{ substr: [{ var: 'reporter_phone' }, 0, 1] }, ['0', '+']] })).toBeUndefined()
  })

  it('reads each comparison shape into the model', () => {
    expect(parseRule({ '==': [{ var: 'category' }, 'other'] })).toEqual({
      kind: 'group',
      op: 'and',
      implicit: true,
      items: [{ kind: 'comparison', field: 'category', op: '==', value: 'other' }]
    })
    expect(parseRule({ in: [{ var: 'kind' }, ['land', 'environment']] })?.items[0]).toMatchObject({
      op: 'in_list',
      value: ['land', 'environment']
    })
    expect(parseRule({ in: ['@', { var: 'email' }] })?.items[0]).toMatchObject({ op: 'contains', field: 'email', value: '@' })
    expect(parseRule({ '!!': [{ var: 'email' }] })?.items[0]).toMatchObject({ op: 'filled' })
    expect(parseRule({ '!': { var: 'note' } })?.items[0]).toMatchObject({ op: 'empty', bare: true })
  })

  it('writes back nested groups and bare/array unary forms unchanged', () => {
    const rules = [
      { and: [{ '==': [{ var: 'a' }, 1] }, { or: [{ '>=': [{ var: 'b' }, 2] }, { '!': { var: 'c' } }] }] },
      { and: [{ '==': [{ var: 'a' }, true] }] },
      { or: [{ '!=': [{ var: 'a' }, null] }, { '<': [{ var: 'd' }, '2026-01-01'] }] },
      { '!': [{ var: 'note' }] },
      { '!': { var: 'note' } }
    ]
    for (const rule of rules) expect(toRule(parseRule(rule) as Group)).toEqual(rule)
  })

  it('sends unknown shapes to the raw view', () => {
    for (const rule of [
      { '===': [{ var: 'a' }, 1] },
      { '<': [1, { var: 'a' }, 5] },
      { '==': ['other', { var: 'category' }] },
      { '==': [{ var: ['a', 0] }, 1] },
      { '==': [{ var: 'a' }, { var: 'b' }] },
      { and: [] },
      { if: [true, 1, 2] },
      true,
      'text',
      [1, 2],
      { '==': [{ var: 'a' }, 1], '!=': [{ var: 'b' }, 2] }
    ]) {
      expect(parseRule(rule), JSON.stringify(rule)).toBeUndefined()
    }
  })

  it('treats no rule as an empty group, and an empty group as no rule', () => {
    const empty = parseRule(undefined) as Group
    expect(empty.items).toEqual([])
    expect(toRule(empty)).toBeUndefined()
  })

  it('offers operators by field type', () => {
    expect(operatorsFor('number')).toContain('>=')
    expect(operatorsFor('choice')).toEqual(['==', '!=', 'in_list', 'filled', 'empty'])
    expect(operatorsFor('text')).toContain('contains')
    expect(operatorsFor('text')).not.toContain('<')
    expect(operatorsFor('photo')).toEqual(['filled', 'empty'])
  })
})

describe('checkRawRule', () => {
  it('accepts valid rules with known operators and empty text', () => {
    expect(checkRawRule('')).toEqual({ ok: true, rule: undefined })
    expect(checkRawRule('{"in": [{"substr": [{"var": "x"}, 0, 1]}, ["0"]]}')).toMatchObject({ ok: true })
    expect(checkRawRule('true')).toEqual({ ok: true, rule: true })
  })

  it('reports JSON syntax errors', () => {
    const result = checkRawRule('{"==": [')
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.problems[0].code).toBe('syntax')
  })

  it('reports unknown operators with where they are', () => {
    const result = checkRawRule('{"and": [{"upper": [{"var": "x"}]}, {"==": [1, 1]}]}')
    expect(result).toEqual({
      ok: false,
      problems: [{ code: 'unknown_operator', params: { operator: 'upper', path: '/and/0' } }]
    })
    const shape = checkRawRule('{"==": [1, 1], "!=": [1, 2]}')
    expect(shape.ok).toBe(false)
    if (!shape.ok) expect(shape.problems[0].code).toBe('operation_shape')
  })
})

describe('summarizeRule', () => {
  const fields = [
    {
      key: 'category',
      label: 'Loại sự cố',
      type: 'choice',
      options: [
        { value: 'flooding', label: 'Ngập nước' },
        { value: 'other', label: 'Khác' }
      ]
    },
    { key: 'depth', label: 'Độ sâu', type: 'number' }
  ]
  it('says a rule in plain words with option labels', () => {
    expect(summarizeRule({ '==': [{ var: 'category' }, 'flooding'] }, fields, WORDS)).toBe('Loại sự cố = Ngập nước')
    expect(
      summarizeRule(
        { and: [{ '==': [{ var: 'category' }, 'flooding'] }, { or: [{ '>=': [{ var: 'depth' }, 30] }, { '!!': [{ var: 'note' }] }] }] },
        fields,
        WORDS
      )
    ).toBe('Loại sự cố = Ngập nước và (Độ sâu ≥ 30 hoặc note đã được điền)')
    expect(summarizeRule({ in: [{ var: 'category' }, ['flooding', 'other']] }, fields, WORDS)).toBe(
      'Loại sự cố là một trong Ngập nước, Khác'
    )
    expect(summarizeRule(undefined, fields, WORDS)).toBe('')
    expect(summarizeRule({ '+': [1, 2] }, fields, WORDS)).toBe('Quy tắc JSON: {"+":[1,2]}')
  })
})

describe('renameFieldInRule', () => {
  it('renames the reads of a field in a rule', () => {
    expect(
      renameFieldInRule({ and: [{ '==': [{ var: 'kind' }, 'x'] }, { '!!': [{ var: ['kind.sub', 1] }] }, { var: 'kindly' }] }, 'kind', 'type')
    ).toEqual({ and: [{ '==': [{ var: 'type' }, 'x'] }, { '!!': [{ var: ['type.sub', 1] }] }, { var: 'kindly' }] })
  })
})
