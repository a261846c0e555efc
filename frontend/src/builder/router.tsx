// A small path router for /builder/… (history API). Routes are matched in order; the
// first whose pattern fits names the page. Links are real <a href> so that a middle
// click or "open in new tab" works; a plain click navigates without a reload, and is
// refused (with a confirm) while an editor holds unsaved changes (see hooks.ts).
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react'
import { confirmLeave } from './hooks'

export const BASE = '/builder'

export interface Route {
  name: string
  params: Record<string, string>
  query: URLSearchParams
}

const PATTERNS: [string, RegExp, string[]][] = [
  ['apps', /^\/?$/, []],
  ['app', /^\/apps\/([\w-]+)\/?$/, ['app']],
  ['tests', /^\/apps\/([\w-]+)\/tests\/?$/, ['app']],
  ['entity', /^\/apps\/([\w-]+)\/entity\/([\w-]+)\/?$/, ['app', 'key']],
  ['form', /^\/apps\/([\w-]+)\/form\/([\w-]+)\/?$/, ['app', 'key']],
  ['workflow', /^\/apps\/([\w-]+)\/workflow\/([\w-]+)\/?$/, ['app', 'key']]
]

export function match(pathname: string, search = ''): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname
  const query = new URLSearchParams(search)
  for (const [name, pattern, keys] of PATTERNS) {
    const found = pattern.exec(rest)
    if (found) {
      const params: Record<string, string> = {}
      keys.forEach((key, index) => (params[key] = decodeURIComponent(found[index + 1])))
      return { name, params, query }
    }
  }
  return { name: 'not_found', params: {}, query }
}

const listeners = new Set<() => void>()
let snapshot = `${location.pathname}${location.search}`

function notify(): void {
  snapshot = `${location.pathname}${location.search}`
  listeners.forEach((listener) => listener())
}

// Browser Back/Forward: the address has already changed. While an editor holds unsaved
// changes and the user chooses to stay, put the page they were on back in the address bar.
window.addEventListener('popstate', () => {
  // Only the #fragment changed (the skip link): same page, nothing to ask.
  if (`${location.pathname}${location.search}` === snapshot) return
  if (!confirmLeave()) {
    history.pushState(null, '', snapshot)
    return
  }
  notify()
})

export function href(path: string): string {
  return `${BASE}${path.startsWith('/') ? path : '/' + path}`
}

/** Go to a builder path ("/apps/x/"), unless the user keeps unsaved changes. */
export function navigate(path: string, { replace = false } = {}): boolean {
  if (!confirmLeave()) return false
  const url = href(path)
  if (replace) history.replaceState(null, '', url)
  else history.pushState(null, '', url)
  window.scrollTo(0, 0)
  notify()
  return true
}

export function useRoute(): Route {
  const current = useSyncExternalStore(
    (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    () => snapshot
  )
  const [pathname, search = ''] = current.split('?')
  return match(pathname, search)
}

export function Link({
  to,
  children,
  ...rest
}: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  function onClick(event: MouseEvent<HTMLAnchorElement>) {
    rest.onClick?.(event)
    if (event.defaultPrevented || event.button !== 0) return
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    event.preventDefault()
    navigate(to)
  }
  return (
    <a {...rest} href={href(to)} onClick={onClick}>
      {children}
    </a>
  )
}
