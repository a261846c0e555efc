// @vitest-environment jsdom
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { LogicEngine } from 'json-logic-engine'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  answers,
  computeState,
  evaluate,
  fieldValue,
  fieldsOf,
  parseNumber,
  refresh,
  truthy,
  visibleKeys,
  watch
} from './rules.js'

const CORPUS = JSON.parse(
  // vitest runs from frontend/ (npm test)
  readFileSync(resolve(process.cwd(), '../tests/workflows/rules_corpus.json'), 'utf8')
)

// ------------------------------------------------------------------ markup like the templates

const attr = (value) => JSON.stringify(value).replace(/&/g, '&amp;').replace(/"/g, '&quot;')
const MARKER =
  '<span class="required-marker" data-required-marker hidden><span aria-hidden="true"> *</span></span>'

function field (key, widget, inner, { visibleIf, requiredIf, validations } = {}) {
  const extra = [
    visibleIf !== undefined ? ` data-visible-if="${attr(visibleIf)}"` : '',
    requiredIf !== undefined ? ` data-required-if="${attr(requiredIf)}"` : '',
    validations !== undefined ? ` data-validations="${attr(validations)}"` : ''
  ].join('')
  return `<div class="field" id="field-${key}" data-field="${key}" data-widget="${widget}"${extra}>
    <label class="field__label" for="f-${key}">${key}${requiredIf ? MARKER : ''}</label>${inner}</div>`
}

const radios = (key, options) =>
  `<fieldset>${options
    .map((o) => `<input type="radio" id="f-${key}-${o}" name="${key}" value="${o}">`)
    .join('')}</fieldset>`

const location = (key) => `<div class="location"><div class="location__coords">
  <input type="number" id="f-${key}-lat" name="${key}.lat" step="any">
  <input type="number" id="f-${key}-lng" name="${key}.lng" step="any"></div>
  <input type="text" id="f-${key}-address" name="${key}.address" maxlength="500"></div>`

function reportForm () {
  document.body.innerHTML = `<form class="portal-form" data-portal-form novalidate>
    ${field('category', 'radio', radios('category', ['flooding', 'pothole', 'other']))}
    ${field('other_category', 'text', '<input type="text" id="f-other_category" name="other_category" maxlength="200">', {
      visibleIf: { '==': [{ var: 'category' }, 'other'] },
      requiredIf: { '==': [{ var: 'category' }, 'other'] }
    })}
    ${field('flood_depth_cm', 'number', '<input type="number" id="f-flood_depth_cm" name="flood_depth_cm" min="0" max="500" step="1">', {
      visibleIf: { '==': [{ var: 'category' }, 'flooding'] }
    })}
    ${field('location', 'location', location('location'))}
    ${field('tags', 'checkboxes', '<fieldset><input type="checkbox" name="tags" value="a"><input type="checkbox" name="tags" value="b"></fieldset>')}
    ${field('reporter_email', 'text', '<input type="text" id="f-reporter_email" name="reporter_email">', {
      validations: [{ rule: { in: ['@', { var: 'reporter_email' }] }, message: 'Not an email' }]
    })}
    ${field('wants_updates', 'checkbox', '<input type="checkbox" id="f-wants_updates" name="wants_updates" value="true">', {
      visibleIf: { '!!': [{ var: 'reporter_email' }] }
    })}
  </form>`
  return document.querySelector('form')
}

function choose (form, selector) {
  const input = form.querySelector(selector)
  input.checked = true
  input.dispatchEvent(new Event('change', { bubbles: true }))
}

function type (form, selector, value) {
  const input = form.querySelector(selector)
  input.value = value
  input.dispatchEvent(new Event('input', { bubbles: true }))
}

// ------------------------------------------------------------------ engine and truthiness

describe('evaluate and truthy', () => {
  it('agrees with every expected result of the parity corpus', () => {
    for (const entry of CORPUS.cases) {
      const result = evaluate(entry.rule, entry.data)
      expect(JSON.parse(JSON.stringify(result)), entry.name).toEqual(entry.expected)
    }
  })

  it('treats false, null, 0, NaN, "", [] and {} as falsy, like the server', () => {
    for (const value of [false, null, undefined, 0, -0, NaN, '', [], {}]) {
      expect(truthy(value), JSON.stringify(value)).toBe(false)
    }
    for (const value of [true, 1, -1, 0.5, '0', 'false', ' ', [0], [null], { a: null }]) {
      expect(truthy(value), JSON.stringify(value)).toBe(true)
    }
  })

  it('matches the engine\'s own !! on the same values (but lists, see below)', () => {
    const values = [false, null, 0, '', [], {}, true, 1, '0', [1], ['a', ''], { a: 1 }]
    for (const value of values) {
      const engine = new LogicEngine().run({ '!!': [{ var: 'x' }] }, { x: value })
      expect(truthy(value), JSON.stringify(value)).toBe(engine)
    }
  })

  it('judges a list result like the server, not like the engine\'s !/!! on a var', () => {
    // Known difference (not yet in rules_corpus.json): json-logic-engine's ! and !! applied
    // to a list read by var look at its first item only ({"!!": {"var": "x"}} is false for
    // x = [0, 1] or ["", "a"]); the server, and `if`, find any non-empty list truthy. The
    // field's own rule result is judged here, like the server's is_truthy.
    expect(new LogicEngine().run({ '!!': { var: 'x' } }, { x: [0, 1] })).toBe(false)
    expect(new LogicEngine().run({ if: [{ var: 'x' }, true, false] }, { x: [0, 1] })).toBe(true)
    expect(truthy([0, 1])).toBe(true)
    expect(truthy([''])).toBe(true)
  })

  it('uses a fresh engine: results do not change after many distinct rules', () => {
    const rule = { '<=': ['a', { var: 'x' }, 'c'] }
    const first = evaluate(rule, { x: 'b' })
    for (let i = 0; i < 700; i++) evaluate({ '+': [i, { var: 'x' }] }, { x: 1 })
    expect(evaluate(rule, { x: 'b' })).toBe(first)
    expect(first).toBe(true)
  })
})

// ------------------------------------------------------------------ answers as the server reads them

describe('answers', () => {
  let form
  beforeEach(() => {
    form = reportForm()
  })

  it('reads numbers as the server does', () => {
    expect(parseNumber(' 1,5 ')).toBe(1.5)
    expect(parseNumber('1e3')).toBe(1000)
    expect(parseNumber('0x10')).toBeNull()
    expect(parseNumber('')).toBeNull()
    expect(parseNumber('Infinity')).toBeNull()
    const depth = form.querySelector('#field-flood_depth_cm')
    for (const [text, expected] of [
      ['30', 30],
      ['0', 0],
      ['500', 500],
      ['501', undefined], // above max: the server rejects it, so rules do not see it
      ['-1', undefined],
      ['2.5', undefined], // step="1": an integer field
      ['', undefined]
    ]) {
      form.querySelector('[name=flood_depth_cm]').value = text
      expect(fieldValue(depth), text).toBe(expected)
    }
  })

  it('reads a location as {lat, lng, address} and drops an incomplete one', () => {
    const loc = form.querySelector('#field-location')
    expect(fieldValue(loc)).toBeUndefined()
    form.querySelector('[name="location.lat"]').value = '10.0286'
    expect(fieldValue(loc)).toBeUndefined()
    form.querySelector('[name="location.lng"]').value = '105.7703'
    expect(fieldValue(loc)).toEqual({ lat: 10.0286, lng: 105.7703 })
    form.querySelector('[name="location.address"]').value = '  Bến Ninh Kiều '
    expect(fieldValue(loc)).toEqual({ lat: 10.0286, lng: 105.7703, address: 'Bến Ninh Kiều' })
    form.querySelector('[name="location.lat"]').value = '91'
    expect(fieldValue(loc)).toBeUndefined()
  })

  it('reads checkboxes as lists, a checkbox as true or absent, text trimmed', () => {
    form.querySelector('[name=tags][value=b]').checked = true
    form.querySelector('[name=reporter_email]').value = '  a@b.vn  '
    expect(answers(fieldsOf(form))).toEqual({ tags: ['b'], reporter_email: 'a@b.vn' })
    form.querySelector('[name=tags][value=a]').checked = true
    form.querySelector('[name=wants_updates]').checked = true
    expect(answers(fieldsOf(form))).toMatchObject({ tags: ['a', 'b'], wants_updates: true })
  })
})

// ------------------------------------------------------------------ live rules

describe('refresh', () => {
  let form
  beforeEach(() => {
    form = reportForm()
    watch(form)
  })

  const shown = (key) => !form.querySelector(`#field-${key}`).hidden

  it('shows other_category, required, only when the category is "other"', () => {
    expect(shown('other_category')).toBe(false)
    expect(shown('flood_depth_cm')).toBe(false)
    choose(form, '#f-category-other')
    expect(shown('other_category')).toBe(true)
    const marker = form.querySelector('#field-other_category [data-required-marker]')
    expect(marker.hidden).toBe(false)
    expect(form.querySelector('[name=other_category]').required).toBe(true)
    expect(form.querySelector('[name=other_category]').disabled).toBe(false)

    type(form, '[name=other_category]', 'Cây đổ')
    choose(form, '#f-category-flooding')
    expect(shown('other_category')).toBe(false)
    expect(shown('flood_depth_cm')).toBe(true)
    expect(marker.hidden).toBe(true)
    expect(form.querySelector('[name=other_category]').required).toBe(false)
    // Hidden answers are cleared and not sent.
    expect(form.querySelector('[name=other_category]').value).toBe('')
    expect(form.querySelector('[name=other_category]').disabled).toBe(true)
  })

  it('shows wants_updates once an email is typed and validates it', () => {
    expect(shown('wants_updates')).toBe(false)
    type(form, '[name=reporter_email]', 'dan@example.vn')
    expect(shown('wants_updates')).toBe(true)
    expect(form.querySelector('#field-reporter_email').hasAttribute('data-rule-invalid')).toBe(
      false
    )
    type(form, '[name=reporter_email]', 'dan')
    expect(form.querySelector('#field-reporter_email').getAttribute('data-rule-invalid')).toBe(
      'Not an email'
    )
    type(form, '[name=reporter_email]', '   ')
    expect(shown('wants_updates')).toBe(false)
  })

  it('reaches the server\'s fixpoint when visibility depends on hidden fields', () => {
    document.body.innerHTML = `<form data-portal-form>
      ${field('a', 'checkbox', '<input type="checkbox" name="a" value="true">')}
      ${field('b', 'text', '<input type="text" name="b">', { visibleIf: { var: 'a' } })}
      ${field('c', 'text', '<input type="text" name="c">', { visibleIf: { var: 'b' } })}
      ${field('d', 'text', '<input type="text" name="d">', { visibleIf: { '!': { var: 'c' } } })}
    </form>`
    const chain = document.querySelector('form')
    chain.querySelector('[name=b]').value = 'x'
    chain.querySelector('[name=c]').value = 'y'
    // a is unticked: b is hidden, so c (which reads b) is hidden, so d (reads c) is shown.
    const fields = fieldsOf(chain)
    expect([...visibleKeys(fields, answers(fields))].sort()).toEqual(['a', 'd'])
    const state = refresh(chain)
    expect(state.data).toEqual({})
    expect(chain.querySelector('[name=c]').value).toBe('')
    expect(chain.querySelector('#field-d').hidden).toBe(false)
  })

  it('leaves a field shown when its rule cannot be evaluated', () => {
    document.body.innerHTML = `<form data-portal-form>
      ${field('x', 'text', '<input type="text" name="x">', { visibleIf: { '/': [1, 0] } })}
      <div data-field="y" data-widget="text" data-visible-if="not json"><input name="y"></div>
    </form>`
    const broken = document.querySelector('form')
    const state = computeState(broken)
    expect([...state.visible].sort()).toEqual(['x', 'y'])
  })
})
