// Repeating groups (e.g. several co-applicants) without a page reload.
//
// The server draws a group (apps/portal/templates/portal/fields/group.html) as rows of
// inputs named `<group>.<index>.<sub-field>`, an "Add another" submit button
// (`_add_row=<group>`) and a "Remove" submit button per row (`_remove_row=<group>-<index>`);
// without this script those buttons re-draw the page keeping every answer. Here they
// become plain buttons: a new row is copied from the group's <template> (its `__index__`
// and `__number__` replaced), a removed row leaves the page, the focus moves to the new
// row's first input (or, after a removal, to the next row or the add button), and a
// status message is announced. Row indexes are never reused, so a posted name always
// names one row; the server orders rows by index and drops blank ones. The row count
// stays between max(min_items, 1) and max_items.

function rowsOf (group) {
  const holder = group.querySelector('[data-group-rows]')
  return holder ? Array.from(holder.children).filter((row) => row.hasAttribute('data-group-row')) : []
}

function firstInput (row) {
  return row.querySelector('input:not([type="hidden"]), select, textarea')
}

function limits (group) {
  const number = (name, fallback) => {
    const value = Number.parseInt(group.getAttribute(name) || '', 10)
    return Number.isFinite(value) ? value : fallback
  }
  return { min: Math.max(number('data-min-items', 0), 1), max: number('data-max-items', 10) }
}

/** Name the rows "Co-applicant 1", "Co-applicant 2"... in their order on the page. */
export function relabel (group) {
  const pattern = group.getAttribute('data-row-label-template') || '__number__'
  rowsOf(group).forEach((row, position) => {
    const label = pattern.split('__number__').join(String(position + 1))
    for (const legend of row.querySelectorAll('[data-row-legend]')) {
      if (legend.closest('[data-group-row]') === row) legend.textContent = label
    }
    for (const name of row.querySelectorAll('[data-row-name]')) {
      if (name.closest('[data-group-row]') === row) name.textContent = ` ${label}`
    }
  })
}

/** Enable "Add another" below max_items and "Remove" above max(min_items, 1). */
export function updateButtons (group) {
  const { min, max } = limits(group)
  const rows = rowsOf(group)
  const add = group.querySelector('[data-group-add]')
  if (add) add.disabled = rows.length >= max
  for (const row of rows) {
    const remove = row.querySelector('[data-group-remove]')
    if (remove) remove.hidden = rows.length <= min
  }
}

function announce (group, name) {
  const status = group.querySelector('[data-group-status]')
  if (status) status.textContent = status.getAttribute(name) || ''
}

function changed (element) {
  element.dispatchEvent(new Event('change', { bubbles: true }))
}

/** Add an empty row at the end; returns it (null at max_items). */
export function addRow (group) {
  const { max } = limits(group)
  const rows = rowsOf(group)
  const holder = group.querySelector('[data-group-rows]')
  const template = group.querySelector('template[data-group-template]')
  if (!holder || !template || rows.length >= max) return null
  const used = rows.map((row) => Number.parseInt(row.getAttribute('data-group-row'), 10))
  const index = used.length ? Math.max(...used.filter(Number.isFinite), -1) + 1 : 0
  const html = template.innerHTML
    .split('__index__').join(String(index))
    .split('__number__').join(String(rows.length + 1))
  holder.insertAdjacentHTML('beforeend', html)
  const row = rowsOf(group).at(-1)
  wireRow(group, row)
  relabel(group)
  updateButtons(group)
  announce(group, 'data-msg-added')
  const input = firstInput(row)
  if (input) input.focus()
  changed(row)
  return row
}

/** Remove `row` (not below max(min_items, 1) rows). */
export function removeRow (group, row) {
  const { min } = limits(group)
  const rows = rowsOf(group)
  if (rows.length <= min) return false
  const next = rows[rows.indexOf(row) + 1] || rows[rows.indexOf(row) - 1]
  const holder = row.parentNode
  row.remove()
  relabel(group)
  updateButtons(group)
  announce(group, 'data-msg-removed')
  const add = group.querySelector('[data-group-add]')
  const target = (next && firstInput(next)) || (add && !add.disabled ? add : null)
  if (target) target.focus()
  changed(holder)
  return true
}

function wireRow (group, row) {
  const remove = row.querySelector('[data-group-remove]')
  if (!remove) return
  remove.type = 'button'
  remove.removeAttribute('name')
  remove.addEventListener('click', (event) => {
    event.preventDefault()
    removeRow(group, row)
  })
}

/** Make the groups of `form` add and remove rows in place. */
export function attachGroups (form) {
  for (const group of form.querySelectorAll('[data-group]')) {
    const add = group.querySelector('[data-group-add]')
    if (add) {
      add.type = 'button'
      add.removeAttribute('name')
      add.addEventListener('click', (event) => {
        event.preventDefault()
        addRow(group)
      })
    }
    for (const row of rowsOf(group)) wireRow(group, row)
    relabel(group)
    updateButtons(group)
  }
}
