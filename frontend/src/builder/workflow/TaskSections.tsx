// The friendlier parts of the inspector for human and multi-instance tasks: who does it,
// which actions they choose from, which fields they may change, and the deadline.
import { useId, useState } from 'react'
import type { Label, Schemas } from '../api'
import { RuleEditor, type RuleField } from '../editors/RuleEditor'
import { label, t } from '../i18n'
import type { WorkflowNode } from '../types'
import { LabelInput, TextField } from '../ui'
import { formatDuration, isDuration, toDaysHours } from './duration'
import { NODE_ID_PATTERN } from './graph'

export type Agency = Schemas['Agency']
export type Role = Schemas['Role']

type Assignment = Record<string, unknown>
type Mode = 'agency' | 'agency_rule' | 'user' | 'user_rule' | 'submitter'

export function assignmentMode(assignment: Assignment | undefined): Mode {
  if (!assignment) return 'agency'
  if ('agency_rule' in assignment) return 'agency_rule'
  if ('user_rule' in assignment) return 'user_rule'
  if ('user' in assignment) return 'user'
  if ('submitter' in assignment) return 'submitter'
  return 'agency'
}

function object(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function without(record: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...record }
  if (value === undefined || value === '') delete copy[key]
  else copy[key] = value
  return copy
}

export function AssignmentSection({
  node,
  onChange,
  agencies,
  roles,
  fields
}: {
  node: WorkflowNode
  onChange: (node: WorkflowNode) => void
  agencies: Agency[]
  roles: Role[]
  fields: RuleField[]
}) {
  const id = useId()
  const assignment = object(node.assignment)
  const mode = assignmentMode(node.assignment as Assignment | undefined)
  const set = (next: Assignment) => onChange({ ...node, assignment: next })
  const role = typeof assignment.role === 'string' ? assignment.role : ''
  const switchMode = (next: Mode) => {
    if (next === mode) return
    if (next === 'agency') set({ agency: '', role })
    else if (next === 'agency_rule') set({ agency_rule: { var: '' }, role })
    else if (next === 'user') set({ user: '' })
    else if (next === 'user_rule') set({ user_rule: { var: '' } })
    else set({ submitter: true })
  }
  const agencyCode = typeof assignment.agency === 'string' ? assignment.agency : ''
  const agency = agencies.find((item) => item.code === agencyCode)
  const roleFound = roles.find((item) => item.key === role)
  return (
    <fieldset className="wf-section">
      <legend>{t('workflow.assignment')}</legend>
      <div className="field">
        <label htmlFor={`${id}-mode`}>{t('workflow.assignment_mode')}</label>
        <select id={`${id}-mode`} value={mode} onChange={(event) => switchMode(event.target.value as Mode)}>
          <option value="agency">{t('workflow.assign_agency')}</option>
          <option value="agency_rule">{t('workflow.assign_agency_rule')}</option>
          <option value="user">{t('workflow.assign_user')}</option>
          <option value="user_rule">{t('workflow.assign_user_rule')}</option>
          <option value="submitter">{t('workflow.assign_submitter')}</option>
        </select>
      </div>
      {mode === 'agency' && (
        <>
          <TextField
            label={t('workflow.agency')}
            list={`${id}-agencies`}
            value={agencyCode}
            hint={agency ? label({ vi: agency.name_vi ?? agency.name, en: agency.name_en }) : t('workflow.agency_hint')}
            onChange={(event) => set(without(assignment, 'agency', event.target.value.trim()))}
          />
          <datalist id={`${id}-agencies`}>
            {agencies.map((item) => (
              <option key={item.code} value={item.code}>
                {label({ vi: item.name_vi ?? item.name, en: item.name_en })}
              </option>
            ))}
          </datalist>
        </>
      )}
      {mode === 'agency_rule' && (
        <RuleEditor
          label={t('workflow.agency_rule')}
          value={assignment.agency_rule}
          fields={fields}
          onChange={(rule) => set(without(assignment, 'agency_rule', rule))}
        />
      )}
      {(mode === 'agency' || mode === 'agency_rule') && (
        <>
          <TextField
            label={t('workflow.role')}
            list={`${id}-roles`}
            value={role}
            hint={roleFound ? roleFound.name : t('workflow.role_hint')}
            onChange={(event) => set(without(assignment, 'role', event.target.value.trim()))}
          />
          <RoleList id={`${id}-roles`} roles={roles} />
        </>
      )}
      {mode === 'user' && (
        <TextField
          label={t('workflow.user')}
          value={typeof assignment.user === 'string' ? assignment.user : ''}
          onChange={(event) => set(without(assignment, 'user', event.target.value.trim()))}
        />
      )}
      {mode === 'user_rule' && (
        <RuleEditor
          label={t('workflow.user_rule')}
          value={assignment.user_rule}
          fields={fields}
          onChange={(rule) => set(without(assignment, 'user_rule', rule))}
        />
      )}
      {mode === 'submitter' && <p className="hint">{t('workflow.submitter_hint')}</p>}
    </fieldset>
  )
}

function RoleList({ id, roles }: { id: string; roles: Role[] }) {
  return (
    <datalist id={id}>
      {roles.map((item) => (
        <option key={item.key} value={item.key}>
          {item.name}
        </option>
      ))}
    </datalist>
  )
}

interface Action {
  key: string
  label: Label
  [property: string]: unknown
}

export function ActionsSection({
  node,
  onChange,
  onRenameAction
}: {
  node: WorkflowNode
  onChange: (node: WorkflowNode) => void
  onRenameAction: (node: WorkflowNode, from: string, to: string) => void
}) {
  const actions = (Array.isArray(node.actions) ? node.actions : []) as Action[]
  const set = (next: Action[]) => onChange({ ...node, actions: next })
  const keyError = (key: string, index: number) => {
    if (!NODE_ID_PATTERN.test(key)) return t('common.key_invalid')
    if (actions.some((action, i) => i !== index && action.key === key)) return t('workflow.action_duplicate')
    return undefined
  }
  const add = () => {
    const taken = new Set(actions.map((action) => action.key))
    let number = actions.length + 1
    while (taken.has(`action_${number}`)) number += 1
    set([...actions, { key: `action_${number}`, label: { vi: `Hành động ${number}`, en: `Action ${number}` } }])
  }
  return (
    <fieldset className="wf-section">
      <legend>{t('workflow.actions')}</legend>
      {actions.length === 0 && <p className="hint">{t('workflow.no_actions')}</p>}
      <ol className="wf-actions">
        {actions.map((action, index) => (
          <li key={index}>
            <TextField
              label={t('workflow.action_key', { n: index + 1 })}
              value={action.key}
              error={keyError(action.key, index)}
              onChange={(event) => {
                const key = event.target.value.trim()
                const next = actions.map((item, i) => (i === index ? { ...item, key } : item))
                onRenameAction({ ...node, actions: next }, action.key, key)
              }}
            />
            <LabelInput
              label={t('workflow.action_label', { n: index + 1 })}
              value={action.label}
              required
              onChange={(value) => set(actions.map((item, i) => (i === index ? { ...item, label: value } : item)))}
            />
            <button
              type="button"
              className="danger"
              onClick={() => set(actions.filter((_, i) => i !== index))}
            >
              {t('workflow.action_remove', { key: action.key || String(index + 1) })}
            </button>
          </li>
        ))}
      </ol>
      <button type="button" onClick={add}>
        {t('workflow.action_add')}
      </button>
    </fieldset>
  )
}

export function FormFieldsSection({
  node,
  onChange,
  fields
}: {
  node: WorkflowNode
  onChange: (node: WorkflowNode) => void
  fields: RuleField[]
}) {
  const form = object(node.form)
  const chosen = Array.isArray(form.fields) ? (form.fields as string[]) : []
  const known = new Set(fields.map((field) => field.key))
  const unknown = chosen.filter((key) => !known.has(key))
  const toggle = (key: string, on: boolean) => {
    // Keep the entity's order so the task form reads like the record.
    const next = on
      ? [...fields.map((field) => field.key).filter((k) => k === key || chosen.includes(k)), ...unknown]
      : chosen.filter((k) => k !== key)
    const copy = { ...node }
    if (next.length || Object.keys(form).length > 1) copy.form = { ...form, fields: next }
    else delete copy.form
    onChange(copy)
  }
  return (
    <fieldset className="wf-section">
      <legend>{t('workflow.form_fields')}</legend>
      {fields.length === 0 && <p className="hint">{t('workflow.no_fields')}</p>}
      {fields.map((field) => (
        <label key={field.key} className="wf-check">
          <input
            type="checkbox"
            checked={chosen.includes(field.key)}
            onChange={(event) => toggle(field.key, event.target.checked)}
          />{' '}
          {field.label} <code>{field.key}</code>
        </label>
      ))}
      {unknown.map((key) => (
        <label key={key} className="wf-check">
          <input type="checkbox" checked onChange={() => toggle(key, false)} /> <code>{key}</code>{' '}
          <span className="hint">{t('workflow.unknown_field')}</span>
        </label>
      ))}
    </fieldset>
  )
}

/** Days + hours of an ISO duration, with the ISO text shown. */
export function DurationInput({
  title,
  value,
  onChange
}: {
  title: string
  value: string | undefined
  onChange: (value: string | undefined) => void
}) {
  const parts = toDaysHours(value)
  const change = (key: 'days' | 'hours', amount: string) => {
    const next = formatDuration({ ...parts, [key]: Number(amount || 0) })
    onChange(next || undefined)
  }
  return (
    <fieldset className="wf-duration">
      <legend>{title}</legend>
      <TextField
        label={t('workflow.days')}
        type="number"
        min={0}
        value={parts.days ? String(parts.days) : ''}
        onChange={(event) => change('days', event.target.value)}
      />
      <TextField
        label={t('workflow.hours')}
        type="number"
        min={0}
        value={parts.hours ? String(parts.hours) : ''}
        onChange={(event) => change('hours', event.target.value)}
      />
      <small className="hint">{value ? <code>{value}</code> : t('workflow.duration_empty')}</small>
    </fieldset>
  )
}

export function DeadlineSection({
  node,
  onChange,
  roles
}: {
  node: WorkflowNode
  onChange: (node: WorkflowNode) => void
  roles: Role[]
}) {
  const id = useId()
  const deadline = node.deadline ? object(node.deadline) : undefined
  const setDeadline = (next: Record<string, unknown> | undefined) => {
    const copy = { ...node }
    if (next) copy.deadline = next
    else delete copy.deadline
    onChange(copy)
  }
  const reminders = Array.isArray(deadline?.reminders) ? (deadline.reminders as string[]) : []
  const [reminderText, setReminderText] = useState(reminders.join(', '))
  const reminderList = reminderText.split(',').map((item) => item.trim()).filter(Boolean)
  const badReminder = reminderList.find((item) => !isDuration(item))
  const escalation = object(deadline?.escalation)
  const setEscalation = (key: string, value: unknown) => {
    const next = without(escalation, key, value)
    setDeadline(without(deadline ?? {}, 'escalation', Object.keys(next).length ? next : undefined))
  }
  const notify = escalation.notify ? object(escalation.notify) : undefined
  const actions = (Array.isArray(node.actions) ? node.actions : []) as Action[]
  return (
    <fieldset className="wf-section">
      <legend>{t('workflow.deadline')}</legend>
      <label className="wf-check">
        <input
          type="checkbox"
          checked={!!deadline}
          onChange={(event) => setDeadline(event.target.checked ? { duration: 'P3D', working_days: true } : undefined)}
        />{' '}
        {t('workflow.deadline_on')}
      </label>
      {deadline && (
        <>
          <DurationInput
            title={t('workflow.duration')}
            value={typeof deadline.duration === 'string' ? deadline.duration : undefined}
            onChange={(value) => setDeadline(without(deadline, 'duration', value))}
          />
          <label className="wf-check">
            <input
              type="checkbox"
              checked={deadline.working_days === true}
              onChange={(event) => setDeadline(without(deadline, 'working_days', event.target.checked || undefined))}
            />{' '}
            {t('workflow.working_days')}
          </label>
          <TextField
            label={t('workflow.reminders')}
            hint={t('workflow.reminders_hint')}
            value={reminderText}
            error={badReminder ? t('workflow.bad_duration', { value: badReminder }) : undefined}
            onChange={(event) => {
              setReminderText(event.target.value)
              const items = event.target.value.split(',').map((item) => item.trim()).filter(Boolean)
              if (items.every(isDuration)) setDeadline(without(deadline, 'reminders', items.length ? items : undefined))
            }}
          />
          <fieldset>
            <legend>{t('workflow.escalation')}</legend>
            <TextField
              label={t('workflow.reassign_role')}
              list={`${id}-roles`}
              value={typeof escalation.reassign_role === 'string' ? escalation.reassign_role : ''}
              onChange={(event) => setEscalation('reassign_role', event.target.value.trim())}
            />
            <RoleList id={`${id}-roles`} roles={roles} />
            <div className="field">
              <label htmlFor={`${id}-action`}>{t('workflow.escalation_action')}</label>
              <select
                id={`${id}-action`}
                value={typeof escalation.action === 'string' ? escalation.action : ''}
                onChange={(event) => setEscalation('action', event.target.value)}
              >
                <option value="">{t('workflow.none')}</option>
                {actions.map((action) => (
                  <option key={action.key} value={action.key}>
                    {label(action.label, action.key)}
                  </option>
                ))}
              </select>
            </div>
            <label className="wf-check">
              <input
                type="checkbox"
                checked={!!notify}
                onChange={(event) =>
                  setEscalation(
                    'notify',
                    event.target.checked
                      ? { body: { vi: 'Công việc đã quá hạn.', en: 'The task is overdue.' } }
                      : undefined
                  )
                }
              />{' '}
              {t('workflow.escalation_notify')}
            </label>
            {notify && (
              <LabelInput
                label={t('workflow.notify_body')}
                value={notify.body as Label | undefined}
                required
                onChange={(body) => setEscalation('notify', { ...notify, body })}
              />
            )}
          </fieldset>
        </>
      )}
    </fieldset>
  )
}
