// What the test page sends and receives (POST simulate/, POST tests/run/), and the small
// pure helpers the page uses: which nodes are tasks, how a deadline or assignee reads.
import { type Schemas, appPath } from '../api'
import { currentLanguage, label, plainText, t } from '../i18n'
import type { TestDoc, TestStep, WorkflowDoc, WorkflowNode } from '../types'

export type Assignee = Schemas['Assignee']
export type SimTask = Schemas['SimulatedTask']
export type SimResult = Schemas['SimulationResult']
export type RunAllResult = Schemas['TestRun']
export type AppDetail = Schemas['AppDetail']

export const simulatePath = (app: string) => `${appPath(app)}simulate/`
export const runTestsPath = (app: string) => `${appPath(app)}tests/run/`

export const TASK_TYPES = ['human_task', 'multi_task']
export const STATUSES = ['running', 'completed', 'terminated'] as const

export function taskNodes(workflow: WorkflowDoc | undefined): WorkflowNode[] {
  return (workflow?.nodes ?? []).filter((node) => TASK_TYPES.includes(node.type))
}

export function endNodes(workflow: WorkflowDoc | undefined): WorkflowNode[] {
  return (workflow?.nodes ?? []).filter((node) => node.type === 'end' || node.type === 'terminate')
}

export interface ActionSpec {
  key: string
  label?: unknown
}

export function nodeActions(node: WorkflowNode | undefined): ActionSpec[] {
  const actions = node?.actions
  return Array.isArray(actions) ? (actions as ActionSpec[]).filter((a) => a && a.key) : []
}

export function nodeFormFields(node: WorkflowNode | undefined): string[] {
  const form = node?.form as { fields?: unknown } | undefined
  return Array.isArray(form?.fields) ? form.fields.filter((f): f is string => typeof f === 'string') : []
}

export function nodeName(workflow: WorkflowDoc | undefined, id: string): string {
  const node = workflow?.nodes.find((item) => item.id === id)
  return node ? label(node.label, id) : id
}

export function actionName(workflow: WorkflowDoc | undefined, nodeId: string, action: string): string {
  const node = workflow?.nodes.find((item) => item.id === nodeId)
  const spec = nodeActions(node).find((item) => item.key === action)
  return spec ? label(spec.label, action) : action
}

/** The body of POST simulate/: the test as it is now, without its key and name. */
export function simulationBody(doc: TestDoc): Record<string, unknown> {
  const body: Record<string, unknown> = {
    workflow: doc.workflow,
    data: doc.data ?? {},
    steps: doc.steps.map(cleanStep)
  }
  const expect = cleanExpect(doc.expect)
  if (expect) body.expect = expect
  return body
}

export function cleanStep(step: TestStep): TestStep {
  const out: TestStep = { node: step.node, action: step.action }
  if (step.data && Object.keys(step.data).length) out.data = step.data
  return out
}

export function cleanExpect(expect: TestDoc['expect']): TestDoc['expect'] | undefined {
  if (!expect) return undefined
  const out: NonNullable<TestDoc['expect']> = {}
  if (expect.status) out.status = expect.status
  if (expect.end) out.end = expect.end
  if (expect.visits && expect.visits.length) out.visits = expect.visits
  return Object.keys(out).length ? out : undefined
}

/** The document as saved: empty optional parts left out. */
export function cleanDoc(doc: TestDoc): TestDoc {
  const out: TestDoc = { ...doc, steps: doc.steps.map(cleanStep) }
  const expect = cleanExpect(doc.expect)
  if (expect) out.expect = expect
  else delete out.expect
  return out
}

/** A deadline in the page's language, in Vietnam's time zone. */
export function formatDue(value: string | null | undefined): string {
  if (!value) return t('tests.no_due')
  const moment = new Date(value)
  if (Number.isNaN(moment.getTime())) return value
  return new Intl.DateTimeFormat(currentLanguage() === 'en' ? 'en-GB' : 'vi-VN', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'Asia/Ho_Chi_Minh'
  }).format(moment)
}

export function formatAssignee(assignee: Assignee | undefined): string {
  if (!assignee) return ''
  if (assignee.kind === 'submitter') return t('tests.applicant')
  if (assignee.kind === 'user') return t('tests.official', { user: assignee.user ?? '' })
  const role = assignee.role_name || assignee.role || ''
  const agency = assignee.agency_name || assignee.agency || ''
  if (role && agency) return t('tests.role_at', { role, agency })
  return role || agency
}

export function statusName(status: string | undefined): string {
  if (!status) return ''
  const key = `tests.status.${status}`
  const text = t(key)
  return text === key ? status : text
}

/** An expectation's value as a short text (lists joined, empty shown as "(none)"). */
export function valueText(value: unknown, what: string): string {
  if (value === null || value === undefined || value === '') return t('tests.nothing')
  if (Array.isArray(value)) return value.length ? value.map(plainText).join(', ') : t('tests.nothing')
  if (what === 'status') return statusName(plainText(value))
  return plainText(value)
}
