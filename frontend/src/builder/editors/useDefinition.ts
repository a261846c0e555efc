// Loading and saving one definition of the draft: the document being edited, the draft
// revision it is based on, the dirty flag (with the unsaved-changes guard), Save + Ctrl+S,
// and the save's error (409 conflict, 400 findings). Unknown properties of the document
// are kept as they are: editors only replace what they edit.
import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react'
import { ApiError, type DefinitionDetail, type DefinitionKind, loadDefinition, saveDefinition } from '../api'
import { useAsync, useUnsavedWarning } from '../hooks'

export interface DefinitionEditorState<T> {
  document: T | undefined
  loading: boolean
  loadError: Error | undefined
  notFound: boolean
  dirty: boolean
  saving: boolean
  saved: boolean
  saveError: unknown
  revision: string | undefined
  update: (change: (document: T) => T) => void
  save: () => Promise<void>
  reload: () => void
  retry: () => void
}

export function useDefinition<T extends object>(
  app: string,
  kind: DefinitionKind,
  key: string
): DefinitionEditorState<T> {
  const loaded = useAsync((signal) => loadDefinition(app, kind, key, signal), [app, kind, key])
  const [source, setSource] = useState<DefinitionDetail | undefined>(undefined)
  const [document, setDocument] = useState<T | undefined>(undefined)
  const [revision, setRevision] = useState<string | undefined>(undefined)
  const [dirty, setDirty] = useState(false)
  const [saving, setSaving] = useState(false)
  const [saved, setSaved] = useState(false)
  const [saveError, setSaveError] = useState<unknown>(undefined)
  // Edits so far (an event handler counts them): a save clears the dirty flag only when
  // nothing changed while its request was on its way.
  const edits = useRef(0)
  const busy = useRef(false)

  // A (re)load replaces the document in the same render that brings it, so no frame ever
  // shows "loaded, but no document" (which read as a failed load).
  if (loaded.data !== source) {
    setSource(loaded.data)
    if (loaded.data) {
      setDocument(loaded.data.document as T)
      setRevision(loaded.data.revision)
      setDirty(false)
      setSaveError(undefined)
    }
  }

  useUnsavedWarning(dirty)

  const update = useCallback((change: (document: T) => T) => {
    edits.current += 1
    setDocument((previous) => (previous === undefined ? previous : change(previous)))
    setDirty(true)
    setSaved(false)
  }, [])

  async function save() {
    if (!document || revision === undefined || busy.current) return
    busy.current = true
    const before = edits.current
    setSaving(true)
    setSaveError(undefined)
    try {
      const result = await saveDefinition(app, kind, key, document, revision)
      setRevision(result.revision)
      if (edits.current === before) setDirty(false)
      setSaved(true)
    } catch (error) {
      setSaveError(error)
    } finally {
      busy.current = false
      setSaving(false)
    }
  }

  const onSaveKey = useEffectEvent(() => void save())
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
        event.preventDefault()
        onSaveKey()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  const notFound = loaded.error instanceof ApiError && loaded.error.status === 404
  return {
    document,
    loading: loaded.loading && document === undefined,
    loadError: loaded.error,
    notFound,
    dirty,
    saving,
    saved,
    saveError,
    revision,
    update,
    save,
    reload: () => {
      setSaveError(undefined)
      setSaved(false)
      loaded.reload()
    },
    retry: loaded.reload
  }
}

/** A finding path without its leading slash and definition prefix ("entities/x/"). */
function relativePath(path: string | undefined): string {
  return (path ?? '').replace(/^\/+/, '').replace(/^(entities|forms|workflows|tests)\/[^/]+\/?/, '')
}

/** The findings of a 400 save error whose path starts with `prefix` (e.g. "fields/2"). */
export function findingsAt(error: unknown, prefix: string) {
  if (!(error instanceof ApiError) || error.status !== 400) return []
  const wanted = prefix.replace(/^\/+/, '')
  return error.findings.filter((finding) => {
    const path = relativePath(finding.path)
    return path === wanted || path.startsWith(wanted + '/')
  })
}

/**
 * A link from a finding (`wanted`, e.g. the `?field=` of the address; "" for none): once the
 * definition has `loaded`, and whenever the link changes, `resolve` names the id of the
 * element to show (opening what holds it), or undefined when the link names nothing; after
 * the render that draws that element, it is scrolled into view and focused.
 */
export function useRevealLink(
  loaded: boolean,
  wanted: string,
  resolve: (wanted: string) => string | undefined
): void {
  const shown = useRef<string | null>(null)
  const pending = useRef<string | undefined>(undefined)
  const resolveLink = useEffectEvent(resolve)
  useEffect(() => {
    if (!loaded || !wanted || shown.current === wanted) return
    shown.current = wanted
    pending.current = resolveLink(wanted)
  }, [loaded, wanted])
  useEffect(() => {
    if (pending.current === undefined) return
    const element = document.getElementById(pending.current)
    if (!element) return
    pending.current = undefined
    element.scrollIntoView?.({ block: 'center' })
    element.focus({ preventScroll: true })
  })
}
