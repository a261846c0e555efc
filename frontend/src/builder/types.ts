// The definition documents the builder edits (docs/definition-format.md is the reference;
// the server's JSON Schemas in workflows/schema/ are the authority). Typed loosely:
// an editor keeps every property it does not know, so nothing is lost on save.
import type { Label, Schemas } from './api'

export type Rule = unknown

export interface Option {
  value: string
  label: Label
}

export interface EntityField {
  key: string
  type: string
  label: Label
  help?: Label
  required?: boolean
  options?: Option[]
  [property: string]: unknown
}

export interface EntityDoc {
  schema_version: number
  key: string
  label: Label
  title_field?: string
  fields: EntityField[]
  [property: string]: unknown
}

export interface FormField {
  field: string
  widget?: string
  label?: Label
  visible_if?: Rule
  required_if?: Rule
  validations?: { rule: Rule; message: Label }[]
  [property: string]: unknown
}

export interface FormStep {
  key: string
  label: Label
  fields: FormField[]
  [property: string]: unknown
}

export interface FormDoc {
  schema_version: number
  key: string
  entity: string
  audience?: string
  workflow?: string
  label: Label
  steps: FormStep[]
  [property: string]: unknown
}

export interface WorkflowNode {
  id: string
  type: string
  label?: Label
  [property: string]: unknown
}

export interface Transition {
  from: string
  to: string
  action?: string
  condition?: Rule
  default?: boolean
  timeout?: boolean
}

export interface WorkflowDoc {
  schema_version: number
  key: string
  entity: string
  label: Label
  nodes: WorkflowNode[]
  transitions: Transition[]
  /** Where the editor drew each node: {nodes: {id: {x, y}}}. Ignored by the engine. */
  layout?: { nodes: Record<string, { x: number; y: number }> }
  [property: string]: unknown
}

/** A saved test case of the draft (definition kind "test"). */
export interface TestStep {
  /** The task node to act on. */
  node: string
  action: string
  /** Fields the official changes when acting. */
  data?: Record<string, unknown>
}

export interface TestDoc {
  schema_version: number
  key: string
  label: Label
  workflow: string
  data: Record<string, unknown>
  steps: TestStep[]
  expect?: { status?: string; end?: string; visits?: string[] }
  [property: string]: unknown
}

/** A node type the engine offers, as GET /api/v1/node-types/ describes it. */
export type NodeType = Schemas['NodeType']
