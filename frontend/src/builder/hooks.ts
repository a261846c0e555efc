// Shared hooks: loading data with loading/error states, and the unsaved-changes guard.
import { useCallback, useEffect, useRef, useState } from 'react'
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

// ------------------------------------------------------------------ async data

export interface AsyncState<T> {
  data: T | undefined
  error: Error | undefined
  loading: boolean
  reload: () => void
  setData: (data: T) => void
}

/** Run `load` when `deps` change; keeps the last data while reloading. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<Error | undefined>(undefined)
  const [loading, setLoading] = useState(true)
  const [tick, setTick] = useState(0)
  const loader = useRef(load)
  loader.current = load

  useEffect(() => {
    const controller = new AbortController()
    setLoading(true)
    setError(undefined)
    loader
      .current(controller.signal)
      .then((value) => {
        if (!controller.signal.aborted) setData(value)
      })
      .catch((reason: Error) => {
        if (!controller.signal.aborted && reason.name !== 'AbortError') setError(reason)
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false)
      })
    return () => controller.abort()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick])

  const reload = useCallback(() => setTick((value) => value + 1), [])
  return { data, error, loading, reload, setData }
}
