// Shared hooks: loading data with loading/error states, and the unsaved-changes guard.
import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react'
import { t } from './i18n'

// ------------------------------------------------------------------ unsaved changes

const dirtyEditors = new Set<symbol>()

/** True when the user may leave: nothing unsaved, or they confirmed losing it. */
export function confirmLeave(): boolean {
  if (dirtyEditors.size === 0) return true
  const leave = window.confirm(t('common.unsaved_confirm'))
  if (leave) dirtyEditors.clear()
  return leave
}

export function hasUnsavedChanges(): boolean {
  return dirtyEditors.size > 0
}

function beforeUnload(event: BeforeUnloadEvent): void {
  if (dirtyEditors.size === 0) return
  event.preventDefault()
  event.returnValue = ''
}
window.addEventListener('beforeunload', beforeUnload)

/** While `dirty`, leaving the page (link, back, reload, close) asks first. */
export function useUnsavedWarning(dirty: boolean): void {
  const id = useRef(Symbol('editor'))
  useEffect(() => {
    const key = id.current
    if (dirty) dirtyEditors.add(key)
    else dirtyEditors.delete(key)
    return () => {
      dirtyEditors.delete(key)
    }
  }, [dirty])
}

// ------------------------------------------------------------------ draft text

/**
 * The text of an input that edits a value owned by the caller: typing sets the text (the
 * caller reports what it parses to); a value changed from elsewhere (another definition
 * loaded, a rename, undo…) replaces the text unless `keep(text, value)` says the text
 * stands for it (e.g. "1.50" for 1.5, or an entry still being typed). Adjusted while
 * rendering, so no frame shows the old text.
 */
export function useDraftText<V>(
  value: V,
  format: (value: V) => string,
  keep: (text: string, value: V) => boolean
): [string, (text: string) => void] {
  const [draft, setDraft] = useState(() => ({ value, text: format(value) }))
  let text = draft.text
  if (!Object.is(draft.value, value)) {
    text = keep(draft.text, value) ? draft.text : format(value)
    setDraft({ value, text })
  }
  return [text, (next: string) => setDraft({ value, text: next })]
}

/** Whether JSON text stands for a value; text that does not parse is still being typed. */
export function sameJson(text: string, value: unknown): boolean {
  try {
    return text.trim() !== '' && JSON.stringify(JSON.parse(text)) === JSON.stringify(value)
  } catch {
    return true
  }
}

// ------------------------------------------------------------------ async data

export interface AsyncState<T> {
  data: T | undefined
  error: Error | undefined
  loading: boolean
  reload: () => void
  setData: (data: T) => void
}

interface Settled<T> {
  /** The request (deps and reload count) this answer belongs to. */
  request: string
  data: T | undefined
  error: Error | undefined
}

/**
 * Run `load` when `deps` (plain values: strings, numbers…) change or on `reload()`; keeps
 * the last data while reloading. Loading and error belong to the current request only: an
 * answer of an older one is dropped (its signal is aborted) and never shown as current.
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [reloads, setReloads] = useState(0)
  const [settled, setSettled] = useState<Settled<T> | undefined>(undefined)
  const request = JSON.stringify([reloads, ...deps])
  const run = useEffectEvent(load)

  useEffect(() => {
    const controller = new AbortController()
    run(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setSettled({ request, data, error: undefined })
      },
      (reason: Error) => {
        if (controller.signal.aborted || reason.name === 'AbortError') return
        setSettled((previous) => ({ request, data: previous?.data, error: reason }))
      }
    )
    return () => controller.abort()
  }, [request])

  const reload = useCallback(() => setReloads((value) => value + 1), [])
  const setData = useCallback(
    (data: T) => setSettled((previous) => ({ request: previous?.request ?? request, error: previous?.error, data })),
    [request]
  )
  const current = settled?.request === request
  return {
    data: settled?.data,
    error: current ? settled.error : undefined,
    loading: !current,
    reload,
    setData
  }
}
