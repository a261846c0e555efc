// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest'
import { attachMaps, DEFAULT_TILE_URL } from './map.js'

function page (bodyAttrs = '') {
  document.body.outerHTML = `<body ${bodyAttrs}><form data-portal-form>
    <div class="field" id="field-location" data-field="location" data-widget="location">
      <div class="location"><div class="location__coords">
        <input type="number" id="f-location-lat" name="location.lat" value="">
        <input type="number" id="f-location-lng" name="location.lng" value="">
      </div><input type="text" id="f-location-address" name="location.address"></div>
    </div></form></body>`
  return document.querySelector('form')
}

describe('map picker', () => {
  let form
  beforeEach(() => {
    form = page()
  })

  it('adds one map per location field, with the default tiles', () => {
    const [picker, ...rest] = attachMaps(form)
    expect(rest).toHaveLength(0)
    expect(form.querySelectorAll('.location-map')).toHaveLength(1)
    const layers = []
    picker.map.eachLayer((layer) => layers.push(layer))
    expect(layers[0]._url).toBe(DEFAULT_TILE_URL)
    expect(attachMaps(form)).toHaveLength(0) // not twice
  })

  it('takes the tile URL from data-tile-url on the body', () => {
    form = page('data-tile-url="/tiles/{z}/{x}/{y}.png"')
    const [picker] = attachMaps(form)
    const urls = []
    picker.map.eachLayer((layer) => urls.push(layer._url))
    expect(urls).toContain('/tiles/{z}/{x}/{y}.png')
  })

  it('moves the marker when numbers are typed, and fills them on a click', () => {
    const [picker] = attachMaps(form)
    const container = form.querySelector('.location-map')
    const lat = form.querySelector('[name="location.lat"]')
    const lng = form.querySelector('[name="location.lng"]')
    expect(picker.marker).toBeNull()
    lat.value = '10.0286'
    lng.value = '105.7703'
    lng.dispatchEvent(new Event('input', { bubbles: true }))
    expect(container.getAttribute('data-marker-lat')).toBe('10.0286')
    expect(container.getAttribute('data-marker-lng')).toBe('105.7703')
    expect(picker.marker.getLatLng()).toMatchObject({ lat: 10.0286, lng: 105.7703 })

    let changes = 0
    form.addEventListener('change', () => changes++)
    picker.map.fire('click', { latlng: { lat: 10.045, lng: 105.78 } })
    expect(lat.value).toBe('10.045000')
    expect(lng.value).toBe('105.780000')
    expect(changes).toBeGreaterThan(0)
    expect(picker.marker.getLatLng()).toMatchObject({ lat: 10.045, lng: 105.78 })

    lat.value = 'abc'
    lat.dispatchEvent(new Event('input', { bubbles: true }))
    expect(picker.marker).toBeNull()
    expect(container.getAttribute('data-marker-lat')).toBe('')
  })
})
