// Texts of the builder in Vietnamese (default) and English. Each area of the SPA keeps its
// own messages module and registers it: `registerMessages({vi: {...}, en: {...}})`; keys
// are namespaced by area ("apps.title", "workflow.palette"). `t(key, params)` fills
// {name} placeholders; a missing English text falls back to Vietnamese, then to the key.
import { useSyncExternalStore } from 'react'

export type Language = 'vi' | 'en'
export type Messages = Record<string, string>

const catalogs: Record<Language, Messages> = { vi: {}, en: {} }
let language: Language = 'vi'
const listeners = new Set<() => void>()

export function registerMessages(messages: Partial<Record<Language, Messages>>): void {
  for (const lang of ['vi', 'en'] as const) Object.assign(catalogs[lang], messages[lang] ?? {})
}

export function currentLanguage(): Language {
  return language
}

export function setLanguage(next: Language): void {
  if (next === language) return
  language = next
  document.documentElement.lang = next
  try {
    localStorage.setItem('lcnc.builder.language', next)
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  listeners.forEach((listener) => listener())
}

export function initialLanguage(fromPage?: string | null): Language {
  let stored: string | null
  try {
    stored = localStorage.getItem('lcnc.builder.language')
  } catch {
    stored = null
  }
  const chosen = stored ?? fromPage
  return chosen === 'en' ? 'en' : 'vi'
}

export function t(key: string, params?: Record<string, string | number>): string {
  const text = catalogs[language][key] ?? catalogs.vi[key] ?? key
  if (!params) return text
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole
  )
}

/** A value shown as text: strings and numbers as they are, anything else as JSON. */
export function plainText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === undefined) return ''
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return JSON.stringify(value) ?? ''
}

/** A text of a definition ({vi, en}) in the current language, falling back to the other. */
export function label(value: unknown, fallback = ''): string {
  if (typeof value === 'string') return value
  if (value && typeof value === 'object') {
    const texts = value as Partial<Record<Language, string>>
    return texts[language] || texts.vi || texts.en || fallback
  }
  return fallback
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Re-render on a language switch; returns the current language. */
export function useLanguage(): Language {
  return useSyncExternalStore(subscribe, currentLanguage, currentLanguage)
}
