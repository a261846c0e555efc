// Map picker for location fields: a Leaflet map next to the latitude/longitude inputs.
//
// A click on the map (or dragging the marker) fills in the inputs; typing numbers moves the
// marker. The inputs stay the source of truth and keep working without the map (no
// JavaScript, no tiles, no network): the map only adds a way to fill them in.
//
// Tiles come from `data-tile-url` on the form (or on <body>), else OpenStreetMap's default
// server; `data-tile-attribution` overrides the attribution, `data-map-center="lat,lng"`
// the starting point when the field is empty.
//
// The map container reflects the marker in `data-marker-lat` / `data-marker-lng` (empty when
// there is no marker), for tests and assistive tooling.

import L from 'leaflet'
import { parseNumber } from './rules.js'

export const DEFAULT_TILE_URL = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png'
export const DEFAULT_ATTRIBUTION =
  '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
// Roughly the middle of Việt Nam, zoomed out to the whole country.
const DEFAULT_CENTER = [16.0, 106.0]
const DEFAULT_ZOOM = 5
const POINT_ZOOM = 16

function setting (form, name) {
  const holder = form.closest(`[${name}]`) || document.body
  const value = holder && holder.getAttribute(name)
  return value && value.trim() ? value.trim() : null
}

function center (form) {
  const text = setting(form, 'data-map-center')
  if (text) {
    const [lat, lng] = text.split(',').map(parseNumber)
    if (validPoint(lat, lng)) return [lat, lng]
  }
  return DEFAULT_CENTER
}

function validPoint (lat, lng) {
  return (
    typeof lat === 'number' &&
    typeof lng === 'number' &&
    lat >= -90 &&
    lat <= 90 &&
    lng >= -180 &&
    lng <= 180
  )
}

function readPoint (latInput, lngInput) {
  const lat = parseNumber(latInput.value)
  const lng = parseNumber(lngInput.value)
  return validPoint(lat, lng) ? [lat, lng] : null
}

const MARKER_ICON = () =>
  L.divIcon({
    className: 'location-map__marker',
    html: '<span aria-hidden="true"></span>',
    iconSize: [24, 24],
    iconAnchor: [12, 24]
  })

/** Add a map picker to one location field; returns a controller, or null if impossible. */
export function attachMap (field, form) {
  const key = field.getAttribute('data-field')
  const byName = (part) =>
    Array.from(field.querySelectorAll('input')).find((input) => input.name === `${key}.${part}`)
  const latInput = byName('lat')
  const lngInput = byName('lng')
  if (!latInput || !lngInput || field.querySelector('.location-map')) return null

  const container = document.createElement('div')
  container.className = 'location-map'
  container.id = `${latInput.id || key}-map`
  container.setAttribute('data-location-map', key)
  container.setAttribute('data-marker-lat', '')
  container.setAttribute('data-marker-lng', '')
  const coords = field.querySelector('.location__coords')
  if (coords && coords.parentNode) coords.parentNode.insertBefore(container, coords)
  else latInput.parentNode.insertBefore(container, latInput)

  let map
  try {
    map = L.map(container, { scrollWheelZoom: false, keyboard: true })
    const point = readPoint(latInput, lngInput)
    map.setView(point || center(form), point ? POINT_ZOOM : DEFAULT_ZOOM)
    L.tileLayer(setting(form, 'data-tile-url') || DEFAULT_TILE_URL, {
      maxZoom: 19,
      attribution: setting(form, 'data-tile-attribution') || DEFAULT_ATTRIBUTION
    }).addTo(map)
  } catch (error) {
    container.remove()
    console.warn('portal: the map could not be shown', error)
    return null
  }

  let marker = null
  const show = (point) => {
    if (!point) {
      if (marker) marker.remove()
      marker = null
      container.setAttribute('data-marker-lat', '')
      container.setAttribute('data-marker-lng', '')
      return
    }
    if (!marker) {
      marker = L.marker(point, { icon: MARKER_ICON(), draggable: true, keyboard: false })
      marker.on('dragend', () => {
        const { lat, lng } = marker.getLatLng()
        fill(lat, lng)
      })
      marker.addTo(map)
    } else {
      marker.setLatLng(point)
    }
    container.setAttribute('data-marker-lat', String(point[0]))
    container.setAttribute('data-marker-lng', String(point[1]))
  }

  const fill = (lat, lng) => {
    latInput.value = lat.toFixed(6)
    lngInput.value = L.Util.wrapNum(lng, [-180, 180], true).toFixed(6)
    for (const input of [latInput, lngInput]) {
      input.dispatchEvent(new Event('input', { bubbles: true }))
      input.dispatchEvent(new Event('change', { bubbles: true }))
    }
  }

  map.on('click', (event) => fill(event.latlng.lat, event.latlng.lng))

  const sync = () => {
    const point = readPoint(latInput, lngInput)
    show(point)
    if (point && !map.getBounds().pad(-0.1).contains(point)) {
      map.setView(point, Math.max(map.getZoom(), POINT_ZOOM))
    }
  }
  latInput.addEventListener('input', sync)
  lngInput.addEventListener('input', sync)
  latInput.addEventListener('change', sync)
  lngInput.addEventListener('change', sync)
  show(readPoint(latInput, lngInput))

  // A map drawn while hidden (a field shown by a rule, a later wizard step) has no size.
  const resize = () => map.invalidateSize()
  field.addEventListener('portal:shown', resize)
  if (typeof ResizeObserver === 'function') new ResizeObserver(resize).observe(container)

  return { map, container, sync, get marker () { return marker } }
}

/** Add a map picker to every location field of `form`. */
export function attachMaps (form) {
  const maps = []
  for (const field of form.querySelectorAll('[data-field][data-widget="location"]')) {
    try {
      const picker = attachMap(field, form)
      if (picker) maps.push(picker)
    } catch (error) {
      console.warn('portal: the map could not be shown', error)
    }
  }
  return maps
}
