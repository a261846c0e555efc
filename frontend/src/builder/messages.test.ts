// Every text of the builder exists in both languages, and every key the code names
// literally (t('area.key')) is registered: a missing one would show as the raw key.
import { describe, expect, it, vi } from 'vitest'
import type { Messages } from './i18n'

const { registered } = vi.hoisted(() => ({ registered: [] as { vi: Messages; en: Messages }[] }))
vi.mock('./i18n', async (original) => ({
  ...(await original<typeof import('./i18n')>()),
  registerMessages: (messages: { vi?: Messages; en?: Messages }) =>
    registered.push({ vi: messages.vi ?? {}, en: messages.en ?? {} })
}))

// Every messages module of the SPA (the shared one and each area's).
const modules = import.meta.glob('./**/messages.ts', { eager: true })
// The source of every non-test module, to find the keys named in t('…') calls.
const sources = import.meta.glob<string>(['./**/*.ts', './**/*.tsx', '!./**/*.test.ts', '!./**/*.test.tsx'], {
  eager: true,
  query: '?raw',
  import: 'default'
})

function catalog(lang: 'vi' | 'en'): Messages {
  return Object.assign({}, ...registered.map((entry) => entry[lang])) as Messages
}

describe('messages', () => {
  it('registers the same keys in Vietnamese and English', () => {
    expect(Object.keys(modules).length).toBeGreaterThanOrEqual(5)
    const vi = catalog('vi')
    const en = catalog('en')
    expect(Object.keys(vi).length).toBeGreaterThan(100)
    const onlyVi = Object.keys(vi).filter((key) => !(key in en))
    const onlyEn = Object.keys(en).filter((key) => !(key in vi))
    expect(onlyVi).toEqual([])
    expect(onlyEn).toEqual([])
    const empty = Object.entries({ ...vi, ...en }).filter(([key]) => !vi[key]?.trim() || !en[key]?.trim())
    expect(empty).toEqual([])
  })

  it('keeps the same {placeholders} in both languages', () => {
    const vi = catalog('vi')
    const en = catalog('en')
    const names = (text: string) => [...new Set(text.match(/\{\w+\}/g) ?? [])].sort()
    const differing = Object.keys(vi).filter(
      (key) => key in en && names(vi[key]).join() !== names(en[key]).join()
    )
    expect(differing).toEqual([])
  })

  it('registers every key the code names literally', () => {
    const vi = catalog('vi')
    const missing: string[] = []
    let named = 0
    for (const [file, text] of Object.entries(sources)) {
      for (const found of text.matchAll(/\bt\(\s*['"]([a-z_]+(?:\.[\w.]+)+)['"]/g)) {
        named += 1
        if (!(found[1] in vi)) missing.push(`${file}: ${found[1]}`)
      }
    }
    expect(Object.keys(sources).length).toBeGreaterThan(20)
    expect(named).toBeGreaterThan(300)
    expect(missing).toEqual([])
  })
})
