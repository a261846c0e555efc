// Live JSON Logic rules of a portal form: which fields are shown, which are required.
//
// The server (workflows/forms.py, datalogic-py) decides what is kept and required; this file
// shows the citizen the same thing while they answer. To agree with the server it
//
// * evaluates every rule like frontend/scripts/jsonlogic-eval.mjs (the parity tests' browser
//   side): `new LogicEngine().run(rule, data)`, a fresh engine per evaluation (a long-lived
//   engine switches to a different interpreter after ~500 rules, see workflows/rules.py);
// * reads the answers as the server cleans them (workflows/forms.py `clean_value`): trimmed
//   text, numbers as numbers, a ticked checkbox as true (an unticked one is absent, as it is
//   not posted), multi-choice as the list of ticked options, a location as {lat, lng,
//   address}; blank or invalid answers are absent;
// * computes visibility with the server's fixpoint: every field starts visible, then the
//   rules are evaluated over the answers of the visible fields until nothing changes;
// * uses the same truthiness: false, null, 0, NaN, "", [] and {} are falsy.
//
// Fields are found by the attributes the templates render: `[data-field]` (the key) with
// `data-widget`, `data-visible-if`, `data-required-if` and, when present, `data-validations`
// (JSON list of rules or of {rule, message}). Inputs are found by name: `<key>`, or
// `<key>.lat` / `<key>.lng` / `<key>.address` for a location.
//
// A group field (`data-widget="group"`) holds rows (`[data-group-row]`) of sub-fields
// (`[data-subfield]`, inputs named `<group>.<index>.<sub-field>`); its answer is the list of
// its rows as the server cleans them: blank rows left out, blank sub-fields left out of a
// row, and no answer at all (like the server, which keeps a group only when every row is
// valid) when a row misses a required sub-field or has an invalid one.

import { LogicEngine } from 'json-logic-engine'

/** Evaluate `rule` over `data` exactly like the parity tests' browser side. */
export function evaluate (rule, data) {
  return new LogicEngine().run(rule, data === undefined ? {} : data)
}

/** JSON Logic truthiness, as workflows.rules.is_truthy defines it. */
export function truthy (value) {
  if (value === null || value === undefined) return false
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value)
  if (typeof value === 'string') return value.length > 0
  if (Array.isArray(value)) return value.length > 0
  if (typeof value === 'object') return Object.keys(value).length > 0
  return Boolean(value)
}

/**
 * Whether `rule` is truthy over `data`; `fallback` when the rule cannot be read or fails
 * (the field is then left as the server drew it).
 */
export function check (rule, data, fallback) {
  if (rule === undefined) return fallback
  try {
    return truthy(evaluate(rule, data))
  } catch {
    return fallback
  }
}

/** The JSON in attribute `name` of `element`; undefined when absent or not JSON. */
export function ruleOf (element, name) {
  const text = element.getAttribute(name)
  if (text === null) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------- answers

/** A number typed as text, as the server reads it ("1,5" is 1.5); null when not a number. */
export function parseNumber (text) {
  const value = String(text).trim().replace(',', '.')
  // Python's float() accepts these forms only (no hex, no empty text, no "Infinity").
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) return null
  const number = Number(value)
  return Number.isFinite(number) ? number : null
}

function attrNumber (input, name) {
  const raw = input.getAttribute(name)
  return raw === null || raw === '' ? null : parseNumber(raw)
}

function textValue (input) {
  const text = input.value.trim()
  if (text === '' || text.includes('\u0000')) return undefined
  const min = attrNumber(input, 'minlength')
  const max = attrNumber(input, 'maxlength')
  // The server counts code points (Python str), not UTF-16 units.
  const length = Array.from(text).length
  if (min !== null && length < min) return undefined
  if (max !== null && length > max) return undefined
  return text
}

function numberValue (input) {
  if (input.value.trim() === '') return undefined
  const number = parseNumber(input.value)
  if (number === null || Math.abs(number) > 2 ** 53) return undefined
  const step = input.getAttribute('step')
  if (step === '1' && !Number.isInteger(number)) return undefined
  const min = attrNumber(input, 'min')
  const max = attrNumber(input, 'max')
  if (min !== null && number < min) return undefined
  if (max !== null && number > max) return undefined
  return number
}

function locationValue (inputs, key) {
  const part = (name) => {
    const input = inputs.find((item) => item.name === `${key}.${name}`)
    return input ? input.value : ''
  }
  const latText = part('lat').trim()
  const lngText = part('lng').trim()
  if (latText === '' && lngText === '') return undefined
  const lat = parseNumber(latText)
  const lng = parseNumber(lngText)
  if (lat === null || lng === null) return undefined
  if (!(lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180)) return undefined
  const point = { lat, lng }
  const address = part('address').trim()
  if (address.length > 500) return undefined
  if (address) point.address = address
  return point
}

function fileValue (input) {
  const files = Array.from(input.files || [])
  if (!files.length) return undefined
  return files.map((file) => ({ name: file.name, content_type: file.type, size: file.size }))
}

function keyOf (field) {
  return field.getAttribute('data-field') ?? field.getAttribute('data-subfield')
}

/** The inputs of a field, by name (`key`, or `key.lat`... for a location). */
export function inputsOf (field) {
  const key = keyOf(field)
  return Array.from(field.querySelectorAll('input, select, textarea')).filter(
    (input) => input.name === key || input.name.startsWith(`${key}.`)
  )
}

function rawBlank (inputs) {
  return inputs.every((input) =>
    input.type === 'checkbox' || input.type === 'radio'
      ? !input.checked
      : input.type === 'file'
        ? !(input.files && input.files.length)
        : String(input.value).trim() === ''
  )
}

/** A group's rows as the server cleans them; undefined when none, or when one is invalid. */
export function groupValue (field) {
  const rows = []
  for (const row of field.querySelectorAll('[data-group-row]')) {
    if (row.closest('[data-field]') !== field) continue
    const clean = {}
    let filled = false
    let invalid = false
    for (const sub of row.querySelectorAll('[data-subfield]')) {
      const inputs = inputsOf(sub)
      if (rawBlank(inputs)) {
        if (inputs.some((input) => input.required)) invalid = true
        continue
      }
      filled = true
      const value = fieldValue(sub)
      if (value === undefined) invalid = true
      else clean[keyOf(sub).split('.').pop()] = value
    }
    if (!filled) continue
    if (invalid) return undefined
    rows.push(clean)
  }
  return rows.length ? rows : undefined
}

/** The answer of one field as the server cleans it; undefined when blank or invalid. */
export function fieldValue (field) {
  const key = keyOf(field)
  const widget = field.getAttribute('data-widget')
  if (widget === 'group') return groupValue(field)
  const inputs = inputsOf(field)
  if (!inputs.length) return undefined
  if (widget === 'location') return locationValue(inputs, key)
  const first = inputs[0]
  if (widget === 'checkboxes') {
    const chosen = inputs.filter((input) => input.checked).map((input) => input.value)
    return chosen.length ? chosen : undefined
  }
  if (widget === 'radio' || (first.type === 'radio')) {
    const chosen = inputs.find((input) => input.checked)
    return chosen && chosen.value !== '' ? chosen.value : undefined
  }
  if (widget === 'checkbox' || first.type === 'checkbox') return first.checked ? true : undefined
  if (widget === 'file' || first.type === 'file') return fileValue(first)
  if (widget === 'number' || first.type === 'number') return numberValue(first)
  if (first.tagName === 'SELECT') return first.value === '' ? undefined : first.value
  return textValue(first)
}

/** Every field of `form` (or of the current step) as {key, element}. */
export function fieldsOf (form) {
  return Array.from(form.querySelectorAll('[data-field]')).map((element) => ({
    key: element.getAttribute('data-field'),
    element
  }))
}

/** Answers of all fields, keyed by field (blank and invalid answers are absent). */
export function answers (fields) {
  const data = {}
  for (const { key, element } of fields) {
    const value = fieldValue(element)
    if (value !== undefined) data[key] = value
  }
  return data
}

function only (data, keys) {
  const view = {}
  for (const key of Object.keys(data)) if (keys.has(key)) view[key] = data[key]
  return view
}

/**
 * Which fields are visible, with workflows/forms.py's fixpoint: start with every field,
 * evaluate each `visible_if` over the answers of the visible fields, repeat until stable.
 * A rule that cannot be evaluated leaves its field visible.
 */
export function visibleKeys (fields, data) {
  const rulesByKey = new Map()
  for (const { key, element } of fields) {
    if (element.hasAttribute('data-visible-if')) {
      rulesByKey.set(key, ruleOf(element, 'data-visible-if'))
    }
  }
  let visible = new Set(fields.map((field) => field.key))
  for (let round = 0; round <= fields.length; round++) {
    const view = only(data, visible)
    const now = new Set(
      fields
        .filter(({ key }) => !rulesByKey.has(key) || check(rulesByKey.get(key), view, true))
        .map(({ key }) => key)
    )
    const same = now.size === visible.size && [...now].every((key) => visible.has(key))
    visible = now
    if (same) break
  }
  return visible
}

// ---------------------------------------------------------------- applying to the page

function clearInput (input) {
  if (input.type === 'checkbox' || input.type === 'radio') {
    if (input.checked) input.checked = false
  } else if (input.tagName === 'SELECT') {
    input.selectedIndex = -1
    for (const option of input.options) {
      if (option.value === '') {
        option.selected = true
        break
      }
    }
  } else if (input.value !== '') {
    input.value = ''
  }
}

function setShown (element, shown) {
  const wasShown = !element.hidden
  element.hidden = !shown
  for (const control of element.querySelectorAll('input, select, textarea, button')) {
    if (control.hasAttribute('data-locate')) continue // shown or not by its own code
    control.disabled = !shown
    // Hidden answers are not sent (and the server drops them too).
    if (!shown && wasShown && control.tagName !== 'BUTTON') clearInput(control)
  }
  if (shown && !wasShown) {
    element.dispatchEvent(new CustomEvent('portal:shown', { bubbles: true }))
  }
}

function setRequired (element, required) {
  const marker = element.querySelector('[data-required-marker]')
  if (marker) marker.hidden = !required
  const widget = element.getAttribute('data-widget')
  const group = element.querySelector('fieldset')
  const inputs = inputsOf(element).filter(
    (input) => !(widget === 'location' && input.name.endsWith('.address'))
  )
  if (widget === 'checkboxes') {
    // `required` on each box would demand every box; mark the group instead.
    if (group) group.setAttribute('aria-required', String(required))
    return
  }
  for (const input of inputs) {
    input.required = required
    if (required) input.setAttribute('aria-required', 'true')
    else input.removeAttribute('aria-required')
  }
  element.classList.toggle('field--required', required)
}

function validationsOf (element) {
  const list = ruleOf(element, 'data-validations')
  if (!Array.isArray(list)) return []
  return list.map((item) =>
    item && typeof item === 'object' && !Array.isArray(item) && 'rule' in item
      ? { rule: item.rule, message: typeof item.message === 'string' ? item.message : '' }
      : { rule: item, message: '' }
  )
}

function setValidity (element, message) {
  for (const input of inputsOf(element)) {
    if (typeof input.setCustomValidity === 'function') input.setCustomValidity(message || '')
  }
  if (message === null) element.removeAttribute('data-rule-invalid')
  else element.setAttribute('data-rule-invalid', message)
}

/**
 * The state of `form` now: {data, visible, required, invalid}. `data` holds the answers
 * of the visible fields only, as the server keeps them.
 */
export function computeState (form) {
  const fields = fieldsOf(form)
  const all = answers(fields)
  const visible = visibleKeys(fields, all)
  const data = only(all, visible)
  const required = new Map()
  const invalid = new Map()
  for (const { key, element } of fields) {
    if (!visible.has(key)) continue
    if (element.hasAttribute('data-required-if')) {
      required.set(key, check(ruleOf(element, 'data-required-if'), data, false))
    }
    if (key in data) {
      // Like the server: only an answered field is validated; the first failing rule wins.
      for (const validation of validationsOf(element)) {
        if (!check(validation.rule, data, true)) {
          invalid.set(key, validation.message)
          break
        }
      }
    }
  }
  return { data, visible, required, invalid }
}

/** Show/hide, require and validate the fields of `form` from its current answers. */
export function refresh (form) {
  const fields = fieldsOf(form)
  let state = computeState(form)
  for (const { key, element } of fields) {
    if (element.hasAttribute('data-visible-if')) setShown(element, state.visible.has(key))
  }
  // Clearing hidden answers cannot change what the visible ones see, but recompute so the
  // required markers and validations read exactly what will be sent.
  state = computeState(form)
  for (const { key, element } of fields) {
    if (element.hasAttribute('data-required-if')) {
      setRequired(element, state.required.get(key) === true)
    }
    if (element.hasAttribute('data-validations')) {
      setValidity(element, state.invalid.has(key) ? state.invalid.get(key) : null)
    }
  }
  return state
}

/** Keep `form` up to date as the citizen answers. */
export function watch (form) {
  const update = () => refresh(form)
  form.addEventListener('input', update)
  form.addEventListener('change', update)
  return refresh(form)
}
