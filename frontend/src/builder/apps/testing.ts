// Test helpers of the apps area: a fetch stub that answers like the REST API and records
// every request (method, path, headers, body).
import { vi } from 'vitest'
import type { VersionSummary } from '../api'
import { answer, requestUrl } from '../stubs'
import type { AppDetail } from './model'

export interface Recorded {
  method: string
  url: string
  headers: Record<string, string>
  body: unknown
}

export interface Answer {
  status?: number
  body?: unknown
  etag?: string
  headers?: Record<string, string>
}

type Handler = (request: Recorded) => Answer | undefined

export function stubApi(handler: Handler) {
  const calls: Recorded[] = []
  const fetchStub = vi.fn((input: RequestInfo | URL, init: RequestInit = {}) => {
    const headers = (init.headers ?? {}) as Record<string, string>
    let body: unknown = init.body
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body)
      } catch {
        /* keep the text */
      }
    }
    const request: Recorded = { method: init.method ?? 'GET', url: requestUrl(input), headers, body }
    calls.push(request)
    const answer = handler(request) ?? {
      status: 404,
      body: { error: { code: 'not_found', message: 'Not found.' } }
    }
    const status = answer.status ?? 200
    const responseHeaders: Record<string, string> = {
      'Content-Type': 'application/json',
      ...(answer.etag ? { ETag: `"${answer.etag}"` } : {}),
      ...(answer.headers ?? {})
    }
    const text = status === 204 ? null : JSON.stringify(answer.body ?? {})
    return Promise.resolve(new Response(text, { status, headers: responseHeaders }))
  })
  vi.stubGlobal('fetch', fetchStub)
  return calls
}

export function apiError(status: number, code: string, message: string, details?: unknown): Answer {
  return { status, body: answer('Error', { error: { code, message, details } }) }
}

export const version = (number: number | null, extra: Partial<VersionSummary> = {}): VersionSummary =>
  answer('AppVersion', {
    id: `v-${number ?? 'draft'}`,
    number,
    status: number === null ? 'draft' : 'published',
    label: 'Phản ánh hiện trường',
    note: number === null ? '' : `Ghi chú ${number}`,
    created_at: '2026-11-01T08:00:00Z',
    published_at: number === null ? null : `2026-11-0${number}T09:30:00Z`,
    running_cases: 0,
    ...extra
  })

export function appDetail(extra: Partial<AppDetail> = {}): AppDetail {
  return answer('AppDetail', {
    id: 'a1',
    key: 'field_report',
    label: 'Phản ánh hiện trường',
    description: 'Người dân phản ánh sự cố đô thị',
    created_at: '2026-11-01T08:00:00Z',
    updated_at: '2026-11-02T08:00:00Z',
    versions: [version(null), version(2, { running_cases: 4 }), version(1, { running_cases: 0 })],
    draft: {
      id: 'd1',
      revision: 'rev1',
      label: 'Phản ánh hiện trường',
      updated_at: '2026-11-03T08:00:00Z',
      definitions: [
        { kind: 'entity', key: 'report', label: 'Phản ánh', content_hash: 'h1' },
        { kind: 'form', key: 'report_form', label: 'Gửi phản ánh', content_hash: 'h2' },
        { kind: 'workflow', key: 'report_flow', label: 'Xử lý phản ánh', content_hash: 'h3' },
        { kind: 'test', key: 'happy_path', label: 'Xử lý xong', content_hash: 'h4' }
      ]
    },
    can_publish: true,
    ...extra
  })
}
