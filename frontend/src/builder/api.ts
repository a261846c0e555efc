// The builder talks only to the REST API (/api/v1/). Every call goes through `api()`:
// session cookie + CSRF token, the page's language, JSON in and out, and one error type.
// A draft change names the revision it was made from (If-Match); a 409 answer means
// someone else saved first — ApiError.isConflict, with the current revision in details.
import type { components } from './api-schema'
import { currentLanguage } from './i18n'

export const API_BASE = '/api/v1'

/**
 * The bodies the REST API answers, as docs/openapi.yaml describes them: generated into
 * api-schema.d.ts by `npm run api-types` (`npm test` fails when that file is stale).
 */
export type Schemas = components['schemas']

/** The `error` of every error answer: {"error": {code, message, details}}. */
export type ErrorBody = Schemas['ErrorDetail']

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: unknown

  constructor(status: number, body: ErrorBody) {
    super(body.message)
    this.name = 'ApiError'
    this.status = status
    this.code = body.code
    this.details = body.details
  }

  /** The draft changed since the revision the change was based on. */
  get isConflict(): boolean {
    return this.status === 409
  }

  /** Findings or field errors sent with a 400: a list of {code, message, path...}. */
  get findings(): Finding[] {
    return Array.isArray(this.details) ? (this.details as Finding[]) : []
  }
}

/**
 * One finding of schema validation or static analysis: a `Finding` of the schema, and also
 * an item of a 400's `details` (typed `unknown` there), which may carry less, or the
 * `definition` it is about.
 */
export interface Finding {
  code: string
  severity?: string
  message: string
  path?: string
  definition?: string
  params?: unknown
}

/** A parameter of a finding (`params` is an object of them, when there is one). */
export function findingParam(finding: Finding, name: string): unknown {
  const params = finding.params
  return params && typeof params === 'object' && !Array.isArray(params)
    ? (params as Record<string, unknown>)[name]
    : undefined
}

export interface ApiResult<T> {
  data: T
  /** The draft revision (ETag) when the answer carries one. */
  revision?: string
  status: number
}

export interface RequestOptions {
  body?: unknown
  /** Draft revision the change is based on: sent as If-Match. */
  revision?: string
  /** A FormData body (file upload); sent as multipart. */
  form?: FormData
  /** Read the answer as text (HTML previews, file downloads). */
  text?: boolean
  signal?: AbortSignal
}

export function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/)
  if (match) return decodeURIComponent(match[1])
  const root = document.getElementById('builder-root')
  return root?.dataset.csrf ?? ''
}

function unquote(etag: string | null): string | undefined {
  if (!etag) return undefined
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '')
}

export async function api<T = unknown>(
  method: string,
  path: string,
  options: RequestOptions = {}
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = {
    Accept: options.text ? 'text/html, application/json' : 'application/json',
    'Accept-Language': currentLanguage()
  }
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRFToken'] = csrfToken()
  if (options.revision) headers['If-Match'] = `"${options.revision}"`
  let body: BodyInit | undefined
  if (options.form) {
    body = options.form
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  let response: Response
  try {
    response = await fetch(path.startsWith('/') ? path : `${API_BASE}/${path}`, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal
    })
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error
    throw new ApiError(0, { code: 'network', message: networkMessage(), details: undefined })
  }
  const revision = unquote(response.headers.get('ETag'))
  const type = response.headers.get('Content-Type') ?? ''
  if (!response.ok) {
    let errorBody: ErrorBody = { code: 'http_' + response.status, message: response.statusText, details: undefined }
    if (type.includes('json')) {
      const parsed = (await response.json().catch(() => null)) as { error?: ErrorBody } | null
      if (parsed?.error) errorBody = parsed.error
    }
    throw new ApiError(response.status, errorBody)
  }
  if (response.status === 204) return { data: undefined as T, revision, status: 204 }
  const data = (options.text || !type.includes('json')
    ? await response.text()
    : await response.json()) as T
  return { data, revision, status: response.status }
}

function networkMessage(): string {
  return currentLanguage() === 'en'
    ? 'The server could not be reached. Check the connection and try again.'
    : 'Không kết nối được máy chủ. Hãy kiểm tra kết nối mạng và thử lại.'
}

// ------------------------------------------------------------------ typed endpoints

export type Lang = 'vi' | 'en'
export type Label = Partial<Record<Lang, string>>
export type DefinitionKind = Schemas['DefinitionKindEnum']
export type VersionSummary = Schemas['AppVersion']
export type AppSummary = Schemas['App']
export type DefinitionSummary = Schemas['DefinitionSummary']
export type DefinitionDetail = Schemas['DefinitionDetail']

export const appPath = (key: string) => `apps/${encodeURIComponent(key)}/`
export const definitionPath = (app: string, kind: DefinitionKind, key: string) =>
  `${appPath(app)}definitions/${kind}/${encodeURIComponent(key)}/`

/** Load one definition of the draft with the draft's revision. */
export async function loadDefinition(app: string, kind: DefinitionKind, key: string, signal?: AbortSignal) {
  const result = await api<DefinitionDetail>('GET', definitionPath(app, kind, key), { signal })
  return { ...result.data, revision: result.revision ?? result.data.revision }
}

/** Save (create or replace) a definition; answers the new draft revision. */
export async function saveDefinition(
  app: string,
  kind: DefinitionKind,
  key: string,
  document: unknown,
  revision: string
) {
  const result = await api<DefinitionDetail>('PUT', definitionPath(app, kind, key), {
    body: { document },
    revision
  })
  return { ...result.data, revision: result.revision ?? result.data.revision }
}
