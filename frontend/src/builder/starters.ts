// The first document of a new definition: small, valid on its own, ready to edit.
import type { Label } from './api'
import type { EntityDoc, FormDoc, TestDoc, WorkflowDoc } from './types'

export function starterEntity(key: string, label: Label): EntityDoc {
  return {
    schema_version: 1,
    key,
    label,
    title_field: 'title',
    fields: [{ key: 'title', type: 'text', required: true, label: { vi: 'Tiêu đề', en: 'Title' } }]
  }
}

// `field`: a field of the entity for the first step (a form step may not be empty).
export function starterForm(
  key: string,
  label: Label,
  entity: string,
  workflow?: string,
  field = 'title'
): FormDoc {
  const form: FormDoc = {
    schema_version: 1,
    key,
    entity,
    audience: 'public',
    label,
    steps: [{ key: 'step_1', label: { vi: 'Bước 1', en: 'Step 1' }, fields: [{ field }] }]
  }
  if (workflow) form.workflow = workflow
  return form
}

export function starterWorkflow(key: string, label: Label, entity: string): WorkflowDoc {
  return {
    schema_version: 1,
    key,
    entity,
    label,
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'end', type: 'end', outcome: 'resolved' }
    ],
    transitions: [{ from: 'start', to: 'end' }],
    layout: { nodes: { start: { x: 0, y: 0 }, end: { x: 0, y: 160 } } }
  }
}

export function starterTest(key: string, label: Label, workflow: string): TestDoc {
  return { schema_version: 1, key, label, workflow, data: {}, steps: [] }
}
