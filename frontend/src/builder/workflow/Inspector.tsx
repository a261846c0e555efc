// The inspector: settings of the selected step or way out.
import { useState } from 'react'
import type { Finding, Label } from '../api'
import { RuleEditor, type RuleField } from '../editors/RuleEditor'
import { label, t } from '../i18n'
import type { NodeType, Transition, WorkflowDoc, WorkflowNode } from '../types'
import { FindingList, LabelInput, TextField } from '../ui'
import { CONDITION_TYPES, TASK_TYPES, actionKeys, checkNodeId } from './graph'
import { JsonField, SchemaForm, type Schema } from './SchemaForm'
import {
  ActionsSection,
  AssignmentSection,
  DeadlineSection,
  FormFieldsSection,
  type Agency,
  type Role
} from './TaskSections'

const TASK_KEYS = ['assignment', 'actions', 'form', 'deadline']

export function NodeInspector({
  doc,
  node,
  nodeType,
  findings,
  fields,
  agencies,
  roles,
  onChange,
  onRename,
  onRenameAction,
  onConnectTo,
  onSelectEdge,
  typeLabel,
  onDelete
}: {
  doc: WorkflowDoc
  node: WorkflowNode
  nodeType: NodeType | undefined
  findings: Finding[]
  fields: RuleField[]
  agencies: Agency[]
  roles: Role[]
  onChange: (node: WorkflowNode) => void
  onRename: (to: string) => void
  onRenameAction: (node: WorkflowNode, from: string, to: string) => void
  onConnectTo: (target: string) => void
  onSelectEdge: (index: number) => void
  typeLabel: (type: string) => string
  onDelete: () => void
}) {
  const [id, setId] = useState(node.id)
  const [target, setTarget] = useState('')
  const others = doc.nodes.filter((item) => item.id !== node.id && item.type !== 'start')
  const outgoing = doc.transitions
    .map((transition, index) => ({ transition, index }))
    .filter(({ transition }) => transition.from === node.id)
  const problem = checkNodeId(doc, node.id, id)
  const isTask = TASK_TYPES.has(node.type)
  const schema = (nodeType?.config_schema ?? {}) as Schema
  const hasProperties = !!schema.properties && Object.keys(schema.properties).length > 0
  const skip = ['id', 'type', 'label', ...(isTask ? TASK_KEYS : [])]
  const applyId = () => {
    if (id !== node.id && !problem) onRename(id)
  }
  // Keys drawn by neither the sections nor the schema: raw JSON of the rest.
  const rest: Record<string, unknown> = {}
  if (!hasProperties) {
    for (const [key, value] of Object.entries(node)) if (!skip.includes(key)) rest[key] = value
  }
  return (
    <section aria-labelledby="wf-inspector-title">
      <h2 id="wf-inspector-title">
        {t('workflow.inspector_node', { type: nodeType ? label(nodeType.label, node.type) : node.type })}
      </h2>
      {nodeType?.description && <p className="hint">{label(nodeType.description)}</p>}
      {findings.length > 0 && <FindingList findings={findings} />}
      <form
        onSubmit={(event) => {
          event.preventDefault()
          applyId()
        }}
      >
        <TextField
          label={t('workflow.node_id')}
          value={id}
          hint={t('workflow.node_id_hint')}
          error={
            problem === 'pattern'
              ? t('common.key_invalid')
              : problem === 'duplicate'
                ? t('workflow.node_id_taken', { id })
                : undefined
          }
          onChange={(event) => setId(event.target.value)}
          onBlur={applyId}
        />
      </form>
      <LabelInput
        label={t('workflow.node_label')}
        value={node.label}
        required={isTask}
        onChange={(value: Label) => onChange({ ...node, label: value })}
      />
      {isTask && (
        <>
          <AssignmentSection node={node} onChange={onChange} agencies={agencies} roles={roles} fields={fields} />
          <ActionsSection node={node} onChange={onChange} onRenameAction={onRenameAction} />
          <FormFieldsSection node={node} onChange={onChange} fields={fields} />
          <DeadlineSection node={node} onChange={onChange} roles={roles} />
        </>
      )}
      {hasProperties && (
        <SchemaForm
          schema={schema}
          value={node}
          skip={skip}
          fields={fields}
          onChange={(value) => onChange(value as WorkflowNode)}
        />
      )}
      {!hasProperties && (node.type !== 'start' || Object.keys(rest).length > 0) && (
        <JsonField
          label={t('workflow.raw_settings')}
          hint={t('workflow.raw_settings_hint')}
          value={Object.keys(rest).length ? rest : undefined}
          onChange={(value) => {
            if (value !== undefined && (typeof value !== 'object' || Array.isArray(value) || value === null)) return
            const kept: WorkflowNode = { id: node.id, type: node.type }
            for (const [key, item] of Object.entries(node)) if (skip.includes(key)) kept[key] = item
            onChange({ ...kept, ...((value as Record<string, unknown>) ?? {}), id: node.id, type: node.type })
          }}
        />
      )}
      {!nodeType?.terminal && (
        <fieldset className="wf-section">
          <legend>{t('workflow.ways_out')}</legend>
          {outgoing.length === 0 && <p className="hint">{t('workflow.no_ways_out')}</p>}
          <ul className="wf-step-list">
            {outgoing.map(({ transition, index }) => {
              const to = doc.nodes.find((item) => item.id === transition.to)
              return (
                <li key={index}>
                  <button type="button" className="link" onClick={() => onSelectEdge(index)}>
                    {t('workflow.way_to', { label: label(to?.label, transition.to) })}
                  </button>{' '}
                  {transition.action && <code>{transition.action}</code>}
                  {transition.default && <em>{t('workflow.edge_default')}</em>}
                  {transition.timeout && <em>{t('workflow.edge_timeout')}</em>}
                </li>
              )
            })}
          </ul>
          <div className="wf-connect">
            <div className="field">
              <label htmlFor="wf-connect-target">{t('workflow.connect_to')}</label>
              <select id="wf-connect-target" value={target} onChange={(event) => setTarget(event.target.value)}>
                <option value="">{t('workflow.choose_step')}</option>
                {others.map((item) => (
                  <option key={item.id} value={item.id}>
                    {label(item.label, item.id)} ({item.id}) · {typeLabel(item.type)}
                  </option>
                ))}
              </select>
            </div>
            <button
              type="button"
              disabled={!target}
              onClick={() => {
                onConnectTo(target)
                setTarget('')
              }}
            >
              {t('workflow.connect')}
            </button>
          </div>
        </fieldset>
      )}
      <div className="actions">
        <button type="button" className="danger" onClick={onDelete}>
          {t('workflow.delete_node')}
        </button>
      </div>
    </section>
  )
}

type Kind = 'plain' | 'action' | 'condition' | 'default' | 'timeout'

function transitionKind(transition: Transition): Kind {
  if (transition.timeout) return 'timeout'
  if (transition.default) return 'default'
  if ('condition' in transition && transition.condition !== undefined) return 'condition'
  if (transition.action) return 'action'
  return 'plain'
}

export function EdgeInspector({
  doc,
  transition,
  fields,
  onChange,
  onSelectNode,
  onDelete
}: {
  doc: WorkflowDoc
  transition: Transition
  fields: RuleField[]
  onChange: (transition: Transition) => void
  onSelectNode: (id: string) => void
  onDelete: () => void
}) {
  const source = doc.nodes.find((node) => node.id === transition.from)
  const target = doc.nodes.find((node) => node.id === transition.to)
  const kind = transitionKind(transition)
  const base = (): Transition => {
    const copy = { ...transition }
    delete copy.action
    delete copy.condition
    delete copy.default
    delete copy.timeout
    return copy
  }
  const setKind = (next: Kind) => {
    const copy = base()
    if (next === 'condition') copy.condition = transition.condition ?? firstCondition(fields)
    if (next === 'default') copy.default = true
    if (next === 'timeout') copy.timeout = true
    if (next === 'action') copy.action = transition.action ?? actionKeys(source)[0] ?? ''
    onChange(copy)
  }
  const kinds: Kind[] = ['plain']
  if (source?.type === 'human_task') kinds.push('action')
  if (source && CONDITION_TYPES.has(source.type)) kinds.push('condition', 'default')
  if (source?.type === 'receive') kinds.push('timeout')
  if (!kinds.includes(kind)) kinds.push(kind)
  const actions = Array.isArray(source?.actions) ? (source.actions as { key: string; label: Label }[]) : []
  return (
    <section aria-labelledby="wf-inspector-title">
      <h2 id="wf-inspector-title">{t('workflow.inspector_edge')}</h2>
      <p>
        <button type="button" className="link" onClick={() => onSelectNode(transition.from)}>
          {label(source?.label, transition.from)}
        </button>{' '}
        <code>{transition.from}</code> →{' '}
        <button type="button" className="link" onClick={() => onSelectNode(transition.to)}>
          {label(target?.label, transition.to)}
        </button>{' '}
        <code>{transition.to}</code>
      </p>
      {kinds.length > 1 && (
        <fieldset>
          <legend>{t('workflow.edge_kind')}</legend>
          {kinds.map((option) => (
            <label key={option} className="wf-check">
              <input
                type="radio"
                name="wf-edge-kind"
                checked={kind === option}
                onChange={() => setKind(option)}
              />{' '}
              {t(`workflow.edge_${option}`)}
            </label>
          ))}
        </fieldset>
      )}
      {kind === 'action' && (
        <div className="field">
          <label htmlFor="wf-edge-action">{t('workflow.edge_action_choice')}</label>
          <select
            id="wf-edge-action"
            value={transition.action ?? ''}
            onChange={(event) => onChange({ ...base(), action: event.target.value })}
          >
            {!actions.some((action) => action.key === transition.action) && (
              <option value={transition.action ?? ''}>{transition.action || t('workflow.none')}</option>
            )}
            {actions.map((action) => (
              <option key={action.key} value={action.key}>
                {label(action.label, action.key)} ({action.key})
              </option>
            ))}
          </select>
        </div>
      )}
      {kind === 'condition' && (
        <RuleEditor
          label={t('workflow.edge_condition')}
          value={transition.condition}
          fields={fields}
          onChange={(rule) => onChange({ ...base(), ...(rule === undefined ? {} : { condition: rule }) })}
        />
      )}
      {kind === 'plain' && kinds.length === 1 && <p className="hint">{t('workflow.edge_plain_hint')}</p>}
      <div className="actions">
        <button type="button" className="danger" onClick={onDelete}>
          {t('workflow.delete_edge')}
        </button>
      </div>
    </section>
  )
}

/** A condition to start from that the visual rule editor can show: the first field equals
 * its first option (or is empty text), ready to be changed. */
export function firstCondition(fields: RuleField[]): unknown {
  const field = fields[0]
  if (!field) return { '==': [{ var: '' }, ''] }
  return { '==': [{ var: field.key }, field.options?.[0]?.value ?? ''] }
}
