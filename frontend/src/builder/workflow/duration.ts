// ISO 8601 durations as the engine accepts them: weeks, days, hours, minutes, seconds
// (P3D, PT4H, P1DT12H, PT30M, P2W) — never months or years.

export interface DurationParts {
  weeks: number
  days: number
  hours: number
  minutes: number
  seconds: number
}

const PATTERN = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/

export function isDuration(value: string): boolean {
  return PATTERN.test(value)
}

/** The parts of a duration, or null when it is not one the engine accepts. */
export function parseDuration(value: string | undefined | null): DurationParts | null {
  if (!value) return null
  const found = PATTERN.exec(value)
  if (!found) return null
  const [weeks, days, hours, minutes, seconds] = found.slice(1).map((part) => Number(part ?? 0))
  return { weeks, days, hours, minutes, seconds }
}

/** An ISO duration from parts; '' when everything is zero. */
export function formatDuration(parts: Partial<DurationParts>): string {
  const number = (value: number | undefined) =>
    Math.max(0, Math.floor(Number.isFinite(value) ? (value as number) : 0))
  const weeks = number(parts.weeks)
  const days = number(parts.days)
  const hours = number(parts.hours)
  const minutes = number(parts.minutes)
  const seconds = number(parts.seconds)
  let date = ''
  if (weeks) date += `${weeks}W`
  if (days) date += `${days}D`
  let time = ''
  if (hours) time += `${hours}H`
  if (minutes) time += `${minutes}M`
  if (seconds) time += `${seconds}S`
  if (!date && !time) return ''
  return `P${date}${time ? 'T' + time : ''}`
}

/** Days and hours of a duration (weeks counted as 7 days); minutes and seconds kept. */
export function toDaysHours(value: string | undefined): {
  days: number
  hours: number
  minutes: number
  seconds: number
} {
  const parts = parseDuration(value)
  if (!parts) return { days: 0, hours: 0, minutes: 0, seconds: 0 }
  return {
    days: parts.weeks * 7 + parts.days,
    hours: parts.hours,
    minutes: parts.minutes,
    seconds: parts.seconds
  }
}
