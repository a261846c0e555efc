// Shapes and small helpers of the app list and app page (see docs/openapi.yaml, builder).
import {
  API_BASE,
  ApiError,
  type DefinitionKind,
  type ErrorBody,
  type Finding,
  type Schemas,
  type VersionSummary,
  api,
  appPath,
  findingParam
} from '../api'
import { currentLanguage, t } from '../i18n'

export type AppDetail = Schemas['AppDetail']
export type ValidationResult = Schemas['ValidationResult']
export type TestRunResult = Schemas['TestResult']
export type TestRun = Schemas['TestRun']
export type ImportResult = Schemas['ImportResult']
export type PathValue = Schemas['PathValue']
export type PathChange = Schemas['PathChange']
export type DocumentDiff = Schemas['DocumentDiff']
export type DefinitionChange = Schemas['DefinitionChange']
export type Diff = Schemas['Diff']

/** The app with its draft; the draft revision from the ETag when there is one. */
export async function loadApp(app: string, signal?: AbortSignal): Promise<AppDetail> {
  const result = await api<AppDetail>('GET', appPath(app), { signal })
  const detail = result.data
  return { ...detail, draft: { ...detail.draft, revision: result.revision ?? detail.draft.revision } }
}

export const KINDS: DefinitionKind[] = ['entity', 'form', 'workflow', 'test']

/** The published versions, newest first. */
export function publishedVersions(versions: VersionSummary[]): VersionSummary[] {
  return versions
    .filter((version) => version.status === 'published' && version.number !== null)
    .sort((a, b) => (b.number ?? 0) - (a.number ?? 0))
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return ''
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return value
  return date.toLocaleString(currentLanguage() === 'en' ? 'en-GB' : 'vi-VN', {
    dateStyle: 'short',
    timeStyle: 'short'
  })
}

/** The editor of a definition (builder path). */
export function editorPath(app: string, kind: DefinitionKind, key: string): string {
  const encoded = encodeURIComponent(app)
  if (kind === 'test') return `/apps/${encoded}/tests`
  return `/apps/${encoded}/${kind}/${encodeURIComponent(key)}`
}

/** "Version 3" or "Draft": the name of a diff side ("3" or "draft"). */
export function sideName(side: string): string {
  return side === 'draft' ? t('app.draft') : t('apps.version_n', { n: side })
}

/** Fetch an export bundle and hand it to the browser as a file download. */
export async function downloadExport(app: string, version: number | 'draft'): Promise<string> {
  const response = await fetch(`${API_BASE}/${appPath(app)}export/?version=${version}`, {
    credentials: 'same-origin',
    headers: { Accept: 'application/json', 'Accept-Language': currentLanguage() }
  }).catch(() => {
    throw new ApiError(0, { code: 'network', message: t('common.error_title'), details: undefined })
  })
  if (!response.ok) {
    let body: ErrorBody = { code: `http_${response.status}`, message: response.statusText, details: undefined }
    const parsed = (await response.json().catch(() => null)) as { error?: ErrorBody } | null
    if (parsed?.error) body = parsed.error
    throw new ApiError(response.status, body)
  }
  const text = await response.text()
  const disposition = response.headers.get('Content-Disposition') ?? ''
  const found = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)
  const name = found
    ? decodeURIComponent(found[1])
    : version === 'draft'
      ? `${app}-draft.json`
      : `${app}-v${version}.json`
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }))
  const anchor = document.createElement('a')
  anchor.href = url
  anchor.download = name
  document.body.appendChild(anchor)
  anchor.click()
  anchor.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
  return name
}

const NODE_IN_PATH = /(?:^|\/)nodes(?:\/|\[['"]?)([^/\]'".]+)/
// An entity field: ".../fields/<index or key>" (schema paths give the index, checks the key).
const ENTITY_FIELD_IN_PATH = /(?:^|\/)fields\/([^/]+)/
// A form step and placed field: "…/steps/<index>/fields/<index>" (schema) or
// "…/steps/<step key>/<field key>" (checks); a step index followed by anything else
// ("steps/1/label") names the step only.
const FORM_STEP_IN_PATH = /(?:^|\/)steps\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?/

function param(finding: Finding, name: string): string | undefined {
  const value = findingParam(finding, name)
  if (typeof value === 'string' && value) return value
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return String(value)
  return undefined
}

function withQuery(base: string, query: Record<string, string | undefined>): string {
  const parts = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(value as string)}`)
  return parts.length ? `${base}?${parts.join('&')}` : base
}

/** The form step and placed field a finding names (keys or indexes, as the editor takes them). */
function formPlace(finding: Finding): { step?: string; field?: string } {
  const found = FORM_STEP_IN_PATH.exec(finding.path ?? '')
  if (found) {
    const [, step, next, after] = found
    if (next === 'fields' && after !== undefined) return { step, field: after }
    if (!/^\d+$/.test(step) && next !== undefined && next !== 'fields') return { step, field: next }
    return { step }
  }
  return { step: param(finding, 'step'), field: param(finding, 'field') }
}

/**
 * Where a finding about definition `kind`/`key` can be fixed (builder path): a workflow
 * finding naming a step (`params.node`, or "…/nodes/<id>" in its path) opens the workflow
 * editor with that step selected (?node=<id>); a saved test's opens it on the tests page;
 * an entity finding naming a field ("…/fields/<index or key>", or `params.field`) opens the
 * entity editor on that field (?field=); a form finding naming a step or a placed field
 * ("…/steps/<index>/fields/<index>", "…/steps/<step>/<field>", `params.step`/`params.field`)
 * opens the form editor there (?step=&field=; with a step, a numeric field is an index in
 * that step). Undefined for a finding of no definition.
 */
export function findingTarget(
  app: string,
  kind: string,
  key: string,
  finding: Finding
): { path: string; node?: string } | undefined {
  if (!key || !(KINDS as string[]).includes(kind)) return undefined
  const base = editorPath(app, kind as DefinitionKind, key)
  if (kind === 'test') return { path: `${base}?test=${encodeURIComponent(key)}` }
  if (kind === 'entity') {
    const field = ENTITY_FIELD_IN_PATH.exec(finding.path ?? '')?.[1] ?? param(finding, 'field')
    return { path: withQuery(base, { field }) }
  }
  if (kind === 'form') return { path: withQuery(base, formPlace(finding)) }
  if (kind !== 'workflow') return { path: base }
  const named = findingParam(finding, 'node')
  const inPath = NODE_IN_PATH.exec(finding.path ?? '')
  const node = typeof named === 'string' && named ? named : inPath?.[1]
  return node ? { path: `${base}?node=${encodeURIComponent(node)}`, node } : { path: base }
}
