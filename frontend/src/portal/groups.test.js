// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest'
import { addRow, attachGroups, removeRow } from './groups.js'
import { computeState, fieldValue } from './rules.js'

// Markup like apps/portal/templates/portal/fields/group.html and _group_row.html.
function row (index, number, { name = '', relation = '' } = {}) {
  const option = (value) =>
    `<option value="${value}"${value === relation ? ' selected' : ''}>${value}</option>`
  return `<fieldset class="group__row" data-group-row="${index}">
    <legend data-row-legend>Co-applicant ${number}</legend>
    <div class="field" data-subfield="co.${index}.full_name" data-widget="text">
      <input type="text" id="f-co-${index}-full_name" name="co.${index}.full_name" value="${name}" maxlength="20" required></div>
    <div class="field" data-subfield="co.${index}.relation" data-widget="select">
      <select id="f-co-${index}-relation" name="co.${index}.relation">${['', 'spouse', 'co_owner'].map(option).join('')}</select></div>
    <button type="submit" name="_remove_row" value="co-${index}" data-group-remove>Remove<span data-row-name> Co-applicant ${number}</span></button>
  </fieldset>`
}

function page (rows, { min = 0, max = 3, visibleIf } = {}) {
  const when = visibleIf ? ` data-visible-if='${JSON.stringify(visibleIf)}'` : ''
  document.body.innerHTML = `<form data-portal-form novalidate>
    <div class="field" data-field="co" data-widget="group">
      <fieldset><div data-group="co" data-min-items="${min}" data-max-items="${max}" data-row-label-template="Co-applicant __number__">
        <button type="submit" hidden></button>
        <div data-group-rows>${rows.join('')}</div>
        <template data-group-template>${row('__index__', '__number__')}</template>
        <button type="submit" name="_add_row" value="co" data-group-add>Add another</button>
        <p role="status" data-group-status data-msg-added="Row added." data-msg-removed="Row removed."></p>
      </div></fieldset>
    </div>
    <div class="field" data-field="note" data-widget="text"${when}><input type="text" name="note"></div>
  </form>`
  const form = document.querySelector('form')
  attachGroups(form)
  return { form, group: form.querySelector('[data-group]') }
}

const names = (form) => Array.from(form.querySelectorAll('[data-group-rows] input')).map((i) => i.name)
const legends = (form) =>
  Array.from(form.querySelectorAll('[data-group-rows] [data-row-legend]')).map((l) => l.textContent)

describe('groups', () => {
  beforeEach(() => {
    document.body.innerHTML = ''
  })

  it('adds a row with a fresh index, labels it and focuses its first input', () => {
    const { form, group } = page([row(0, 1, { name: 'An' })])
    const add = form.querySelector('[data-group-add]')
    expect(add.type).toBe('button')

    add.click()

    expect(names(form)).toEqual(['co.0.full_name', 'co.1.full_name'])
    expect(legends(form)).toEqual(['Co-applicant 1', 'Co-applicant 2'])
    expect(document.activeElement.id).toBe('f-co-1-full_name')
    expect(group.querySelector('[data-group-status]').textContent).toBe('Row added.')
  })

  it('stops adding at max_items', () => {
    const { form, group } = page([row(0, 1), row(1, 2)], { max: 3 })
    expect(addRow(group)).not.toBeNull()
    expect(form.querySelector('[data-group-add]').disabled).toBe(true)
    expect(addRow(group)).toBeNull()
    expect(names(form)).toHaveLength(3)
  })

  it('removes a row, renames the others and never goes below one row', () => {
    const { form, group } = page([row(0, 1, { name: 'An' }), row(4, 2, { name: 'Bình' })])

    form.querySelector('[data-group-row="0"] [data-group-remove]').click()

    expect(names(form)).toEqual(['co.4.full_name'])
    expect(legends(form)).toEqual(['Co-applicant 1'])
    expect(form.querySelector('[data-row-name]').textContent).toBe(' Co-applicant 1')
    expect(document.activeElement.name).toBe('co.4.full_name')
    expect(form.querySelector('[data-group-remove]').hidden).toBe(true)
    expect(removeRow(group, form.querySelector('[data-group-row]'))).toBe(false)
    // A new row never reuses a posted index.
    addRow(group)
    expect(names(form)).toEqual(['co.4.full_name', 'co.5.full_name'])
  })

  it('reads the rows as the server cleans them', () => {
    const { form } = page([
      row(0, 1, { name: ' An ', relation: 'spouse' }),
      row(1, 2),
      row(2, 3, { name: 'Bình' })
    ])
    const field = form.querySelector('[data-field="co"]')

    expect(fieldValue(field)).toEqual([{ full_name: 'An', relation: 'spouse' }, { full_name: 'Bình' }])
    // A row missing a required answer: the server keeps no rows at all.
    form.querySelector('[name="co.2.full_name"]').value = ''
    form.querySelector('[name="co.2.relation"]').value = 'co_owner'
    expect(fieldValue(field)).toBeUndefined()
  })

  it('lets a rule over the rows show another field', () => {
    const some = { some: [{ var: 'co' }, { '==': [{ var: 'relation' }, 'spouse'] }] }
    const { form } = page([row(0, 1, { name: 'An', relation: 'co_owner' })], { visibleIf: some })
    expect(computeState(form).visible.has('note')).toBe(false)

    form.querySelector('[name="co.0.relation"]').value = 'spouse'
    expect(computeState(form).visible.has('note')).toBe(true)
    expect(computeState(form).data.co).toEqual([{ full_name: 'An', relation: 'spouse' }])
  })
})
