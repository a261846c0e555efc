// The node types the palette offers. They come from GET /api/v1/node-types/; when that
// endpoint is missing (an older server) the editor falls back to the engine's core types
// below (labels only, settings edited as raw JSON) plus any type the workflow uses.
import type { NodeType } from '../types'
import type { WorkflowDoc } from '../types'

type Core = [type: string, group: string, vi: string, en: string, keys: string[], terminal?: boolean]

const CORE: Core[] = [
  ['start', 'flow', 'Bắt đầu', 'Start', []],
  ['end', 'flow', 'Kết thúc', 'End', [], true],
  ['terminate', 'flow', 'Kết thúc toàn bộ', 'Terminate', [], true],
  ['decision', 'flow', 'Rẽ nhánh', 'Decision', ['condition']],
  ['parallel', 'flow', 'Song song', 'Parallel split', []],
  ['inclusive', 'flow', 'Rẽ nhánh nhiều hướng', 'Inclusive split', ['condition']],
  ['join', 'flow', 'Hợp nhánh', 'Join', []],
  ['human_task', 'task', 'Công việc', 'Human task', ['action']],
  ['multi_task', 'task', 'Công việc nhiều phần', 'Multi-instance task', ['condition']],
  ['subprocess', 'task', 'Quy trình con', 'Sub-process', ['condition']],
  ['timer', 'event', 'Hẹn giờ', 'Timer', []],
  ['receive', 'event', 'Chờ thông điệp', 'Receive a message', ['timeout']],
  ['set_fields', 'automatic', 'Gán giá trị', 'Set fields', []],
  ['notify', 'automatic', 'Gửi thông báo', 'Notify', []],
  ['webhook', 'automatic', 'Gọi hệ thống khác', 'Webhook', []],
  ['create_record', 'automatic', 'Tạo hồ sơ', 'Create a record', []],
  ['start_workflow', 'automatic', 'Khởi động quy trình', 'Start a workflow', []]
]

export const FALLBACK_TYPES: NodeType[] = CORE.map(([type, group, vi, en, keys, terminal]) => ({
  type,
  group,
  label: { vi, en },
  description: { vi: '', en: '' },
  config_schema: { type: 'object' },
  transition_keys: keys,
  terminal: !!terminal
}))

/** The fallback list completed by the types a workflow uses that it does not know. */
export function fallbackTypes(doc: WorkflowDoc | undefined): NodeType[] {
  const known = new Set(FALLBACK_TYPES.map((type) => type.type))
  const extra: NodeType[] = []
  for (const node of doc?.nodes ?? []) {
    if (known.has(node.type)) continue
    known.add(node.type)
    extra.push({
      type: node.type,
      group: 'other',
      label: { vi: node.type, en: node.type },
      description: { vi: '', en: '' },
      config_schema: { type: 'object' },
      transition_keys: [],
      terminal: false
    })
  }
  return [...FALLBACK_TYPES, ...extra]
}

/** A first configuration for a new node of a type, so it is close to valid. */
export function nodeTemplate(type: string, label?: { vi?: string; en?: string }): Record<string, unknown> {
  const named = label?.vi ? { label: { ...label } } : {}
  switch (type) {
    case 'human_task':
      return {
        ...named,
        assignment: { submitter: true },
        actions: [{ key: 'done', label: { vi: 'Hoàn thành', en: 'Done' } }]
      }
    case 'multi_task':
      return {
        ...named,
        items: { var: '' },
        assignment: { agency_rule: { var: '_item' }, role: 'officer' },
        actions: [{ key: 'done', label: { vi: 'Hoàn thành', en: 'Done' } }]
      }
    case 'end':
    case 'terminate':
      return { ...named, outcome: 'done' }
    case 'timer':
      return { ...named, duration: 'P1D' }
    default:
      return named
  }
}
