// Citizen portal: optional enhancements. Every page works without this script; the server
// always decides what is kept and required.
//
// - Conditional fields (rules.js): fields with `data-visible-if` are shown or hidden, and
//   the required marker of `data-required-if` toggled, as the citizen answers, with the
//   same JSON Logic engine and data the server uses.
// - Map picker (map.js) for location fields.
// - Repeating groups (groups.js): rows added and removed without a reload.
// - "Use my current position" fills a location field from the device's GPS.
// - The error summary takes the focus, so it is read first; its links focus the field.
//
// Loaded by lcnc/static/js/portal.js (built to frontend/dist/portal/portal.js).

import 'leaflet/dist/leaflet.css'
import './portal.css'
import { attachGroups } from './groups.js'
import { attachMaps } from './map.js'
import { watch } from './rules.js'

function errorSummary () {
  const summary = document.getElementById('error-summary')
  if (!summary) return
  summary.focus()
  // A summary link moves the focus to the field, showing its question above it.
  summary.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a[href^="#"]')
    const target = link && document.getElementById(link.getAttribute('href').slice(1))
    if (!target) return
    event.preventDefault()
    const field = target.closest('.field') || target
    field.scrollIntoView()
    target.focus({ preventScroll: true })
  })
}

function locate (button) {
  const id = button.getAttribute('data-locate')
  const status = document.querySelector(`[data-locate-status="${id}"]`)
  const say = (name) => {
    if (status) status.textContent = button.getAttribute(name) || ''
  }
  button.hidden = false
  button.addEventListener('click', () => {
    say('data-msg-wait')
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const fill = (suffix, value) => {
          const input = document.getElementById(`${id}-${suffix}`)
          if (!input) return
          input.value = value.toFixed(6)
          input.dispatchEvent(new Event('input', { bubbles: true }))
          input.dispatchEvent(new Event('change', { bubbles: true }))
        }
        fill('lat', position.coords.latitude)
        fill('lng', position.coords.longitude)
        say('data-msg-ok')
      },
      () => say('data-msg-failed'),
      { enableHighAccuracy: true, timeout: 15000 }
    )
  })
}

function guarded (name, work) {
  try {
    work()
  } catch (error) {
    console.error(`portal: ${name} failed`, error)
  }
}

export function start () {
  if (document.documentElement.hasAttribute('data-portal-ready')) return
  document.documentElement.setAttribute('data-portal-ready', '')
  guarded('error summary', errorSummary)
  for (const form of document.querySelectorAll('[data-portal-form]')) {
    guarded('groups', () => attachGroups(form))
    guarded('rules', () => watch(form))
    guarded('map', () => attachMaps(form))
  }
  if ('geolocation' in navigator && window.isSecureContext) {
    for (const button of document.querySelectorAll('[data-locate]')) guarded('locate', () => locate(button))
  }
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start)
} else {
  start()
}
