// Bodies for the tests' API stubs, typed by the generated OpenAPI types (api-schema.d.ts):
// `answer('DefinitionDetail', {...})` fails `tsc` when the stub no longer matches what
// docs/openapi.yaml says the server answers.
import type { Schemas } from './api'

export function answer<K extends keyof Schemas>(_schema: K, body: Schemas[K]): Schemas[K] {
  return body
}

export function answers<K extends keyof Schemas>(_schema: K, body: Schemas[K][]): Schemas[K][] {
  return body
}

/** The address a (stubbed) fetch was called with. */
export function requestUrl(input: RequestInfo | URL): string {
  if (typeof input === 'string') return input
  return input instanceof URL ? input.href : input.url
}
