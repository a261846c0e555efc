// How a step is drawn on the canvas: its type, label and id, the findings pinned on it,
// and its handles (in at the top, out at the bottom).
import { Handle, type NodeProps, Position } from '@xyflow/react'
import { useId } from 'react'
import { label, t } from '../i18n'
import type { FlowNode } from './graph'

export function NodeView({ data, selected }: NodeProps<FlowNode>) {
  const tipId = useId()
  const node = data.node
  const findings = data.findings ?? []
  const errors = findings.filter((finding) => (finding.severity ?? 'error') === 'error')
  const level = errors.length ? 'error' : findings.length ? 'warning' : ''
  return (
    <div
      className={`wf-node wf-type-${node.type}${selected ? ' selected' : ''}${level ? ' has-' + level : ''}`}
      aria-describedby={findings.length ? tipId : undefined}
    >
      {node.type !== 'start' && <Handle type="target" position={Position.Top} />}
      <div className="wf-node-type">{data.typeLabel ?? node.type}</div>
      <div className="wf-node-label">{label(node.label, node.id)}</div>
      <code className="wf-node-id">{node.id}</code>
      {findings.length > 0 && (
        <span
          className={`wf-badge wf-badge-${level}`}
          title={findings.map((finding) => finding.message).join('\n')}
        >
          {findings.length}
          <span className="visually-hidden">{t('workflow.findings_on_node', { n: findings.length })}</span>
        </span>
      )}
      {findings.length > 0 && (
        <ul id={tipId} className="wf-node-findings" role="tooltip">
          {findings.map((finding, index) => (
            <li key={index}>{finding.message}</li>
          ))}
        </ul>
      )}
      {!data.terminal && <Handle type="source" position={Position.Bottom} />}
    </div>
  )
}
