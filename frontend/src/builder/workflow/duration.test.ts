import { describe, expect, it } from 'vitest'
import { formatDuration, isDuration, parseDuration, toDaysHours } from './duration'

describe('ISO 8601 durations', () => {
  it('parses what the engine accepts', () => {
    expect(parseDuration('P3D')).toEqual({ weeks: 0, days: 3, hours: 0, minutes: 0, seconds: 0 })
    expect(parseDuration('PT4H')).toMatchObject({ hours: 4 })
    expect(parseDuration('P1DT12H')).toMatchObject({ days: 1, hours: 12 })
    expect(parseDuration('P2W')).toMatchObject({ weeks: 2 })
    expect(parseDuration('PT30M')).toMatchObject({ minutes: 30 })
  })
  it('refuses months, years, empty and malformed values', () => {
    for (const bad of ['P', 'PT', 'P1M', 'P1Y', '3D', 'P1.5D', '', 'P1DT']) {
      expect(parseDuration(bad)).toBeNull()
      expect(isDuration(bad)).toBe(false)
    }
  })
  it('formats days and hours', () => {
    expect(formatDuration({ days: 3 })).toBe('P3D')
    expect(formatDuration({ hours: 4 })).toBe('PT4H')
    expect(formatDuration({ days: 1, hours: 12 })).toBe('P1DT12H')
    expect(formatDuration({ days: 0, hours: 0 })).toBe('')
    expect(formatDuration({ days: -2, hours: 2.7 })).toBe('PT2H')
    for (const value of ['P3D', 'PT4H', 'P1DT12H', 'P2W', 'P1DT2H3M4S']) {
      expect(formatDuration(parseDuration(value)!)).toBe(value)
    }
  })
  it('counts weeks as days for the days/hours inputs', () => {
    expect(toDaysHours('P2WT3H')).toEqual({ days: 14, hours: 3, minutes: 0, seconds: 0 })
    expect(toDaysHours(undefined)).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 0 })
  })
})
