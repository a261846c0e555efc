// Test helpers of the editors: a fetch stub that answers like the REST API (JSON, or text
// for HTML previews) and records every request.
import { vi } from 'vitest'
import type { DefinitionKind } from '../api'
import { answer, requestUrl } from '../stubs'

export interface Request {
  method: string
  url: string
  headers: Record<string, string>
  body: unknown
}

export interface Answer {
  status?: number
  body?: unknown
  etag?: string
  /** Answer text/html instead of JSON. */
  html?: string
}

export function stubApi(handler: (request: Request) => Answer | undefined): Request[] {
  const calls: Request[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn((input: RequestInfo | URL, init: RequestInit = {}) => {
      let body: unknown = init.body
      if (typeof body === 'string') body = JSON.parse(body)
      const request: Request = {
        method: init.method ?? 'GET',
        url: requestUrl(input),
        headers: (init.headers ?? {}) as Record<string, string>,
        body
      }
      calls.push(request)
      const answer = handler(request) ?? apiError(404, 'not_found', 'Not found.')
      const headers: Record<string, string> = {
        'Content-Type': answer.html !== undefined ? 'text/html; charset=utf-8' : 'application/json'
      }
      if (answer.etag) headers.ETag = `"${answer.etag}"`
      const text = answer.html ?? JSON.stringify(answer.body ?? {})
      return Promise.resolve(new Response(text, { status: answer.status ?? 200, headers }))
    })
  )
  return calls
}

export function apiError(status: number, code: string, message: string, details?: unknown): Answer {
  return { status, body: answer('Error', { error: { code, message, details } }) }
}

/** The answer of GET/PUT definitions/<kind>/<key>/. */
export function definitionAnswer(kind: DefinitionKind, document: Record<string, unknown>, revision: string): Answer {
  return {
    etag: revision,
    body: answer('DefinitionDetail', { kind, key: String(document.key), label: 'x', content_hash: 'h', document, revision })
  }
}
