// Pure helpers of the editors: JSON Logic rules <-> the visual condition model, raw JSON
// validation, a plain-language summary, and renaming a field in a rule. No React, no
// network. (Where a field is used is the server's answer: GET apps/<app>/usages/.)

import { plainText } from '../i18n'

/** The JSON Logic operations the two rule engines agree on (docs/definition-format.md §5). */
export const KNOWN_OPERATORS = [
  'var', '==', '===', '!=', '!==', '<', '<=', '>', '>=', '!', '!!', 'and', 'or', 'if', 'in',
  '+', '-', '*', '/', '%', 'min', 'max', 'cat', 'substr', 'missing', 'missing_some', 'some',
  'all', 'none', 'map', 'filter', 'reduce', 'merge'
] as const

const KNOWN = new Set<string>(KNOWN_OPERATORS)

/** The comparisons the visual editor offers. */
export type Operator =
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'in_list' // {"in": [{"var": f}, [values]]}: "is one of"
  | 'contains' // {"in": [text, {"var": f}]}: a text contains, or a list holds, the value
  | 'filled' // {"!!": …}
  | 'empty' // {"!": …}

export type Primitive = string | number | boolean | null

export interface Comparison {
  kind: 'comparison'
  field: string
  op: Operator
  value?: Primitive | Primitive[]
  /** For filled/empty: the argument was written bare ({"!": {"var": f}}), not in a list. */
  bare?: boolean
}

export interface Group {
  kind: 'group'
  op: 'and' | 'or'
  items: Condition[]
  /** The top group: write a single comparison without the group around it. */
  implicit?: boolean
}

export type Condition = Comparison | Group

/** A field a rule can read, as the rule editor shows it. */
export interface RuleFieldInfo {
  key: string
  label: string
  type: string
  options?: { value: string; label: string }[]
}

const COMPARE = new Set(['==', '!=', '<', '<=', '>', '>='])

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value)
}

function isPrimitive(value: unknown): value is Primitive {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value)
}

/** The field a plain `{"var": "name"}` reads, else undefined. */
function plainVar(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined
  const keys = Object.keys(value)
  if (keys.length !== 1 || keys[0] !== 'var') return undefined
  const name = value.var
  return typeof name === 'string' && name !== '' ? name : undefined
}

function single(value: unknown): [string, unknown] | undefined {
  if (!isRecord(value)) return undefined
  const keys = Object.keys(value)
  return keys.length === 1 ? [keys[0], value[keys[0]]] : undefined
}

function parseCondition(rule: unknown): Condition | undefined {
  const entry = single(rule)
  if (!entry) return undefined
  const [op, args] = entry
  if (op === 'and' || op === 'or') {
    if (!Array.isArray(args) || args.length === 0) return undefined
    const items: Condition[] = []
    for (const arg of args) {
      const item = parseCondition(arg)
      if (!item) return undefined
      items.push(item)
    }
    return { kind: 'group', op, items }
  }
  if (op === '!!' || op === '!') {
    const bare = !Array.isArray(args)
    const list = bare ? [args] : (args as unknown[])
    if (list.length !== 1) return undefined
    const field = plainVar(list[0])
    if (!field) return undefined
    const result: Comparison = { kind: 'comparison', field, op: op === '!!' ? 'filled' : 'empty' }
    if (bare) result.bare = true
    return result
  }
  if (!Array.isArray(args) || args.length !== 2) return undefined
  if (COMPARE.has(op)) {
    const field = plainVar(args[0])
    if (!field || !isPrimitive(args[1])) return undefined
    return { kind: 'comparison', field, op: op as Operator, value: args[1] }
  }
  if (op === 'in') {
    const field = plainVar(args[0])
    if (field && Array.isArray(args[1]) && args[1].every(isPrimitive)) {
      return { kind: 'comparison', field, op: 'in_list', value: [...args[1]] }
    }
    const container = plainVar(args[1])
    if (container && isPrimitive(args[0]) && args[0] !== null) {
      return { kind: 'comparison', field: container, op: 'contains', value: args[0] }
    }
  }
  return undefined
}

/**
 * The visual model of a rule, or undefined when the visual editor cannot show it (then the
 * raw JSON view is used). No rule (undefined) is an empty top group.
 */
export function parseRule(rule: unknown): Group | undefined {
  if (rule === undefined) return { kind: 'group', op: 'and', items: [], implicit: true }
  const condition = parseCondition(rule)
  if (!condition) return undefined
  if (condition.kind === 'group') return condition
  return { kind: 'group', op: 'and', items: [condition], implicit: true }
}

function comparisonToJson(item: Comparison): unknown {
  const variable = { var: item.field }
  switch (item.op) {
    case 'filled':
      return { '!!': item.bare ? variable : [variable] }
    case 'empty':
      return { '!': item.bare ? variable : [variable] }
    case 'in_list':
      return { in: [variable, Array.isArray(item.value) ? [...item.value] : []] }
    case 'contains':
      return { in: [Array.isArray(item.value) ? '' : (item.value ?? ''), variable] }
    default:
      return { [item.op]: [variable, Array.isArray(item.value) ? null : (item.value ?? null)] }
  }
}

function conditionToJson(item: Condition): unknown {
  if (item.kind === 'comparison') return comparisonToJson(item)
  return { [item.op]: item.items.map(conditionToJson) }
}

/** The JSON Logic rule of a model; an empty top group is no rule (undefined). */
export function toRule(group: Group): unknown {
  if (group.items.length === 0) return undefined
  if (group.implicit && group.items.length === 1) return conditionToJson(group.items[0])
  return conditionToJson(group)
}

/** Whether the visual editor can show this rule (and write it back unchanged). */
export function isRepresentable(rule: unknown): boolean {
  return parseRule(rule) !== undefined
}

// ------------------------------------------------------------------ raw JSON validation

export interface RuleProblem {
  /** Message key (editors.rule.*) and its parameters. */
  code: 'syntax' | 'unknown_operator' | 'operation_shape'
  params: Record<string, string>
}

/** Check the operators of a parsed rule: every operation is a known JSON Logic one. */
export function ruleProblems(rule: unknown, path = ''): RuleProblem[] {
  if (Array.isArray(rule)) return rule.flatMap((item, index) => ruleProblems(item, `${path}/${index}`))
  if (!isRecord(rule)) return []
  const keys = Object.keys(rule)
  if (keys.length !== 1) {
    return [{ code: 'operation_shape', params: { path: path || '/', count: String(keys.length) } }]
  }
  const [op] = keys
  if (!KNOWN.has(op)) return [{ code: 'unknown_operator', params: { operator: op, path: path || '/' } }]
  return ruleProblems(rule[op], `${path}/${op}`)
}

export type RawCheck =
  | { ok: true; rule: unknown }
  | { ok: false; problems: RuleProblem[] }

/** Parse and check a rule typed as JSON. An empty text is no rule. */
export function checkRawRule(text: string): RawCheck {
  if (!text.trim()) return { ok: true, rule: undefined }
  let rule: unknown
  try {
    rule = JSON.parse(text)
  } catch (error) {
    return { ok: false, problems: [{ code: 'syntax', params: { detail: (error as Error).message } }] }
  }
  const problems = ruleProblems(rule)
  return problems.length ? { ok: false, problems } : { ok: true, rule }
}

// ------------------------------------------------------------------ operators by field type

export const NUMBER_TYPES = new Set(['number', 'date'])
export const CHOICE_TYPES = new Set(['choice', 'agency'])
export const TEXT_TYPES = new Set(['text', 'long_text'])

/** The comparisons that make sense for a field type. */
export function operatorsFor(type: string | undefined): Operator[] {
  if (type && NUMBER_TYPES.has(type)) return ['==', '!=', '<', '<=', '>', '>=', 'filled', 'empty']
  if (type && CHOICE_TYPES.has(type)) return ['==', '!=', 'in_list', 'filled', 'empty']
  if (type === 'multi_choice') return ['contains', 'filled', 'empty']
  if (type && TEXT_TYPES.has(type)) return ['==', '!=', 'contains', 'filled', 'empty']
  if (type === 'boolean') return ['==', '!=', 'filled', 'empty']
  if (type && ['file', 'photo', 'location', 'group'].includes(type)) return ['filled', 'empty']
  return ['==', '!=', '<', '<=', '>', '>=', 'in_list', 'contains', 'filled', 'empty']
}

/** A starting value for a comparison of a field with an operator. */
export function defaultValue(field: RuleFieldInfo | undefined, op: Operator): Primitive | Primitive[] | undefined {
  if (op === 'filled' || op === 'empty') return undefined
  if (op === 'in_list') return []
  const type = field?.type
  if (type === 'boolean') return true
  if (type === 'number') return 0
  if (field?.options?.length) return field.options[0].value
  return ''
}

/** A new comparison on a field, with the field type's first operator. */
export function newComparison(field: RuleFieldInfo | undefined): Comparison {
  const op = operatorsFor(field?.type)[0]
  return { kind: 'comparison', field: field?.key ?? '', op, value: defaultValue(field, op) }
}

// ------------------------------------------------------------------ plain-language summary

export interface SummaryWords {
  and: string
  or: string
  yes: string
  no: string
  filled: string
  empty: string
  contains: string
  in_list: string
  raw: string
}

const SYMBOLS: Record<string, string> = { '==': '=', '!=': '≠', '<': '<', '<=': '≤', '>': '>', '>=': '≥' }

function valueText(value: unknown, field: RuleFieldInfo | undefined, words: SummaryWords): string {
  if (value === true) return words.yes
  if (value === false) return words.no
  if (value === null || value === undefined) return '∅'
  const option = field?.options?.find((item) => item.value === value)
  if (option) return option.label || plainText(value)
  return typeof value === 'string' ? `“${value}”` : plainText(value)
}

function summarizeCondition(
  item: Condition,
  fields: RuleFieldInfo[],
  words: SummaryWords,
  nested: boolean
): string {
  if (item.kind === 'group') {
    const text = item.items.map((child) => summarizeCondition(child, fields, words, true)).join(` ${item.op === 'and' ? words.and : words.or} `)
    return nested && item.items.length > 1 ? `(${text})` : text
  }
  const field = fields.find((candidate) => candidate.key === item.field)
  const name = field?.label || item.field
  switch (item.op) {
    case 'filled':
      return `${name} ${words.filled}`
    case 'empty':
      return `${name} ${words.empty}`
    case 'in_list': {
      const values = Array.isArray(item.value) ? item.value : []
      return `${name} ${words.in_list} ${values.map((value) => valueText(value, field, words)).join(', ')}`
    }
    case 'contains':
      return `${name} ${words.contains} ${valueText(item.value, field, words)}`
    default:
      return `${name} ${SYMBOLS[item.op]} ${valueText(item.value, field, words)}`
  }
}

/** A short plain-language text of a rule ("Loại sự cố = Ngập nước"); '' for no rule. */
export function summarizeRule(rule: unknown, fields: RuleFieldInfo[], words: SummaryWords): string {
  if (rule === undefined) return ''
  const model = parseRule(rule)
  if (!model) {
    const text = JSON.stringify(rule)
    return `${words.raw}: ${text.length > 80 ? text.slice(0, 79) + '…' : text}`
  }
  return summarizeCondition(model, fields, words, false)
}

// ------------------------------------------------------------------ renaming a field

/** Does `{"var": …}` read this field (plain, dotted sub-path or with a default)? */
function readsField(value: Record<string, unknown>, field: string): boolean {
  const target: unknown = Array.isArray(value.var) ? value.var[0] : value.var
  if (typeof target !== 'string') return false
  return target === field || target.startsWith(field + '.')
}

/** Replace every read of a field by another name in a rule (used when a field is renamed). */
export function renameFieldInRule(rule: unknown, from: string, to: string): unknown {
  if (Array.isArray(rule)) return rule.map((item) => renameFieldInRule(item, from, to))
  if (!isRecord(rule)) return rule
  if ('var' in rule && Object.keys(rule).length === 1 && readsField(rule, from)) {
    const rename = (name: string) => to + name.slice(from.length)
    // readsField checked that the name (alone, or first of [name, default]) is a string.
    const target: unknown = rule.var
    if (Array.isArray(target)) {
      const [name, ...rest] = target as unknown[]
      return { var: [rename(name as string), ...rest] }
    }
    return { var: rename(target as string) }
  }
  return Object.fromEntries(Object.entries(rule).map(([key, value]) => [key, renameFieldInRule(value, from, to)]))
}
