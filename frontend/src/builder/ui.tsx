// Small shared building blocks: loading and error states, labelled inputs, a bilingual
// label input, a modal dialog, tabs. Every page uses these so that states look alike.
import {
  type ReactNode,
  type InputHTMLAttributes,
  useEffect,
  useId,
  useRef
} from 'react'
import { ApiError, type Finding, type Label } from './api'
import { plainText, t } from './i18n'

export const KEY_PATTERN = /^[a-z][a-z0-9_]{0,62}$/

export function Loading({ text }: { text?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {text ?? t('common.loading')}
    </p>
  )
}

/**
 * A button's text that changes while it works ("Save" → "Saving…") without the button
 * changing width: both texts take the same grid cell, the inactive one hidden (also from
 * screen readers), so the controls beside it do not jump when the state finishes.
 */
export function SteadyLabel({ busy, idle, working }: { busy: boolean; idle: string; working: string }) {
  const cell = { gridArea: '1 / 1' }
  return (
    <span style={{ display: 'inline-grid', justifyItems: 'center' }}>
      <span style={busy ? { ...cell, visibility: 'hidden' } : cell} aria-hidden={busy || undefined}>
        {idle}
      </span>
      <span style={busy ? cell : { ...cell, visibility: 'hidden' }} aria-hidden={!busy || undefined}>
        {working}
      </span>
    </span>
  )
}

/** An error: its message, the findings it carries, and a way on (retry or reload). */
export function ErrorMessage({
  error,
  onRetry,
  onReload
}: {
  error: unknown
  onRetry?: () => void
  onReload?: () => void
}) {
  if (!error) return null
  const api = error instanceof ApiError ? error : undefined
  let message = error instanceof Error ? error.message : plainText(error)
  if (api?.isConflict) message = t('common.conflict')
  else if (api?.status === 404 && !api.message) message = t('common.not_found')
  return (
    <div className="error" role="alert">
      <strong>{message}</strong>
      {api && api.findings.length > 0 && <FindingList findings={api.findings} />}
      {api && !api.findings.length && isRecord(api.details) && (
        <FieldErrors details={api.details} />
      )}
      <div className="actions">
        {api?.isConflict && onReload && (
          <button type="button" onClick={onReload}>
            {t('common.reload')}
          </button>
        )}
        {!api?.isConflict && onRetry && (
          <button type="button" onClick={onRetry}>
            {t('common.retry')}
          </button>
        )}
      </div>
    </div>
  )
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value)
}

function FieldErrors({ details }: { details: Record<string, unknown> }) {
  const entries = Object.entries(details).filter(([, value]) => Array.isArray(value))
  if (!entries.length) return null
  return (
    <ul>
      {entries.map(([name, messages]) => (
        <li key={name}>
          <code>{name}</code>: {(messages as string[]).join(' ')}
        </li>
      ))}
    </ul>
  )
}

export function FindingList({ findings }: { findings: Finding[] }) {
  return (
    <ul className="findings">
      {findings.map((finding, index) => (
        <li key={index} className={`finding ${finding.severity ?? 'error'}`}>
          <span className="badge">{t(`common.severity_${finding.severity ?? 'error'}`)}</span> {finding.message}
          {finding.path && (
            <>
              {' '}
              <code>{finding.path}</code>
            </>
          )}
        </li>
      ))}
    </ul>
  )
}

export function TextField({
  label,
  hint,
  error,
  ...input
}: { label: string; hint?: string; error?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId()
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = error ? `${id}-error` : undefined
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
        {...input}
      />
      {hint && (
        <small id={hintId} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={errorId} className="field-error">
          {error}
        </small>
      )}
    </div>
  )
}

/** A text in Vietnamese and English, side by side. */
export function LabelInput({
  label,
  value,
  onChange,
  required
}: {
  label: string
  value: Label | undefined
  onChange: (value: Label) => void
  required?: boolean
}) {
  const current = value ?? {}
  return (
    <fieldset className="label-input">
      <legend>{label}</legend>
      <TextField
        label={t('common.vi')}
        lang="vi"
        value={current.vi ?? ''}
        required={required}
        onChange={(event) => onChange({ ...current, vi: event.target.value })}
      />
      <TextField
        label={t('common.en')}
        lang="en"
        value={current.en ?? ''}
        onChange={(event) => onChange({ ...current, en: event.target.value })}
      />
    </fieldset>
  )
}

/** A modal dialog (native <dialog>): focus stays inside, Escape closes it. */
export function Dialog({
  open,
  title,
  onClose,
  children
}: {
  open: boolean
  title: string
  onClose: () => void
  children: ReactNode
}) {
  const ref = useRef<HTMLDialogElement>(null)
  const opener = useRef<HTMLElement | null>(null)
  const titleId = useId()
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null
      if (typeof dialog.showModal === 'function') dialog.showModal()
      else dialog.setAttribute('open', '')
    } else if (!open && dialog.open) {
      if (typeof dialog.close === 'function') dialog.close()
      else dialog.removeAttribute('open')
      // Focus goes back to what opened the dialog (browsers without native restoration,
      // or when focus was left nowhere), if it is still on the page.
      const back = opener.current
      opener.current = null
      const lost = !document.activeElement || document.activeElement === document.body || dialog.contains(document.activeElement)
      if (back?.isConnected && lost) back.focus()
    }
  }, [open])
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault()
        onClose()
      }}
    >
      <div className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon" onClick={onClose} aria-label={t('common.close')}>
          ×
        </button>
      </div>
      {open && children}
    </dialog>
  )
}

export interface TabSpec {
  id: string
  label: string
}

/** Tabs with arrow-key navigation (WAI-ARIA tabs pattern). */
export function Tabs({
  tabs,
  current,
  onSelect,
  label
}: {
  tabs: TabSpec[]
  current: string
  onSelect: (id: string) => void
  label: string
}) {
  function onKeyDown(event: React.KeyboardEvent<HTMLDivElement>) {
    const index = tabs.findIndex((tab) => tab.id === current)
    let next = -1
    if (event.key === 'ArrowRight') next = (index + 1) % tabs.length
    if (event.key === 'ArrowLeft') next = (index - 1 + tabs.length) % tabs.length
    if (next < 0) return
    event.preventDefault()
    onSelect(tabs[next].id)
    const button = event.currentTarget.querySelectorAll<HTMLButtonElement>('[role=tab]')[next]
    button?.focus()
  }
  return (
    <div className="tabs" role="tablist" aria-label={label} onKeyDown={onKeyDown}>
      {tabs.map((tab) => (
        <button
          key={tab.id}
          type="button"
          role="tab"
          id={`tab-${tab.id}`}
          aria-selected={tab.id === current}
          tabIndex={tab.id === current ? 0 : -1}
          onClick={() => onSelect(tab.id)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  )
}
