// Create or edit one test case: key and name, the workflow, sample data (one input per
// field of the workflow's entity), the steps (task → action → optional data), the expected
// outcome; simulate it without saving, save it (If-Match revision), delete it.
import { useEffect, useEffectEvent, useId, useMemo, useState } from 'react'
import {
  ApiError,
  type DefinitionSummary,
  api,
  appPath,
  definitionPath,
  loadDefinition,
  saveDefinition
} from '../api'
import { useAsync, useUnsavedWarning } from '../hooks'
import { label, t, useLanguage } from '../i18n'
import { Link } from '../router'
import { starterTest } from '../starters'
import type { EntityDoc, TestDoc, TestStep, WorkflowDoc } from '../types'
import { ErrorMessage, KEY_PATTERN, LabelInput, Loading, TextField } from '../ui'
import FieldInput from './FieldInput'
import {
  type AppDetail,
  type SimResult,
  STATUSES,
  cleanDoc,
  endNodes,
  nodeActions,
  nodeFormFields,
  simulatePath,
  simulationBody,
  taskNodes
} from './model'
import SimulationView from './SimulationView'

interface Loaded {
  doc: TestDoc
  revision: string
  isNew: boolean
}

export interface TestEditorProps {
  appKey: string
  /** The saved test to edit; none: a new one. */
  testKey?: string
  workflows: DefinitionSummary[]
  /** Keys of the saved tests (a new key must not be one of them). */
  existingKeys: string[]
  /** The test was saved (its key, the draft's new revision). */
  onSaved: (key: string, revision: string) => void
  onDeleted: () => void
}

/** A friendlier message for the endpoints the server may not offer yet. */
export function explain(error: unknown): unknown {
  if (error instanceof ApiError && error.status === 404 && error.code !== 'test_not_found') {
    return new ApiError(404, { code: error.code, message: t('tests.unavailable'), details: undefined })
  }
  return error
}

export default function TestEditor(props: TestEditorProps) {
  const { appKey, testKey, workflows } = props
  const loaded = useAsync<Loaded>(async () => {
    if (testKey) {
      const definition = await loadDefinition(appKey, 'test', testKey)
      const doc = definition.document as TestDoc
      return { doc: { ...doc, data: doc.data ?? {}, steps: doc.steps ?? [] }, revision: definition.revision, isNew: false }
    }
    const app = await api<AppDetail>('GET', appPath(appKey))
    const only = workflows.length === 1 ? workflows[0].key : ''
    return { doc: starterTest('', { vi: '', en: '' }, only), revision: app.revision ?? app.data.draft.revision, isNew: true }
    // Only the app: a new test that gets saved (and so a key) keeps its editor.
  }, [appKey])
  const [generation, setGeneration] = useState(0)

  if (loaded.error) return <ErrorMessage error={loaded.error} onRetry={loaded.reload} />
  if (!loaded.data || loaded.loading) return <Loading />
  return (
    <EditorForm
      key={generation}
      {...props}
      initial={loaded.data}
      onReloaded={() => {
        loaded.reload()
        setGeneration((value) => value + 1)
      }}
    />
  )
}

function EditorForm({
  appKey,
  workflows,
  existingKeys,
  onSaved,
  onDeleted,
  initial,
  onReloaded
}: TestEditorProps & { initial: Loaded; onReloaded: () => void }) {
  useLanguage()
  const uid = useId()
  const [doc, setDoc] = useState<TestDoc>(initial.doc)
  const [savedJson, setSavedJson] = useState(JSON.stringify(cleanDoc(initial.doc)))
  const [revision, setRevision] = useState(initial.revision)
  const [isNew, setIsNew] = useState(initial.isNew)
  const [saving, setSaving] = useState(false)
  const [saveError, setSaveError] = useState<unknown>(undefined)
  const [notice, setNotice] = useState('')
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({})
  const [result, setResult] = useState<SimResult | undefined>(undefined)
  const [simulating, setSimulating] = useState(false)
  const [simError, setSimError] = useState<unknown>(undefined)
  const [deleted, setDeleted] = useState(false)

  const dirty = !deleted && JSON.stringify(cleanDoc(doc)) !== savedJson
  useUnsavedWarning(dirty)
  // Tell the page after the render that cleared `dirty` (and so the unsaved-changes
  // guard, whose effect runs first): the page may navigate.
  const tellDeleted = useEffectEvent(() => onDeleted())
  useEffect(() => {
    if (deleted) tellDeleted()
  }, [deleted])
  const [savedAs, setSavedAs] = useState<{ key: string; revision: string } | undefined>(undefined)
  const tellSaved = useEffectEvent((key: string, revision: string) => onSaved(key, revision))
  useEffect(() => {
    if (savedAs) tellSaved(savedAs.key, savedAs.revision)
  }, [savedAs])

  const source = useAsync<{ workflow: WorkflowDoc; entity?: EntityDoc } | undefined>(async () => {
    if (!doc.workflow) return undefined
    const workflow = (await loadDefinition(appKey, 'workflow', doc.workflow)).document as WorkflowDoc
    let entity: EntityDoc | undefined
    try {
      entity = (await loadDefinition(appKey, 'entity', workflow.entity)).document as EntityDoc
    } catch {
      entity = undefined
    }
    return { workflow, entity }
  }, [appKey, doc.workflow])
  const workflow = source.data?.workflow.key === doc.workflow ? source.data.workflow : undefined
  const entity = workflow ? source.data?.entity : undefined
  const fields = useMemo(() => entity?.fields ?? [], [entity])
  const tasks = taskNodes(workflow)
  const stepErrors = new Map<number, string>()
  for (const error of result?.errors ?? []) {
    if (error.step !== null && error.step !== undefined && !stepErrors.has(error.step)) {
      stepErrors.set(error.step, error.message)
    }
  }

  function update(change: Partial<TestDoc>) {
    setDoc((current) => ({ ...current, ...change }))
    setNotice('')
  }

  function updateStep(index: number, change: Partial<TestStep>) {
    setDoc((current) => ({
      ...current,
      steps: current.steps.map((step, i) => (i === index ? { ...step, ...change } : step))
    }))
    setNotice('')
  }

  function moveStep(index: number, by: number) {
    setDoc((current) => {
      const steps = [...current.steps]
      const [moved] = steps.splice(index, 1)
      steps.splice(index + by, 0, moved)
      return { ...current, steps }
    })
    setNotice('')
    // Keep the keyboard where the moved step went.
    requestAnimationFrame(() => {
      const button = document.getElementById(`${uid}-step-${index + by}-${by < 0 ? 'up' : 'down'}`) as HTMLButtonElement | null
      if (button && !button.disabled) button.focus()
      else document.getElementById(`${uid}-step-${index + by}-task`)?.focus()
    })
  }

  function checkSteps(steps: TestStep[]): string | undefined {
    const index = steps.findIndex((step) => !step.node || !step.action)
    return index >= 0 ? t('tests.step_incomplete', { n: index + 1 }) : undefined
  }

  async function simulate(current: TestDoc = doc) {
    const problems: Record<string, string> = {}
    if (!current.workflow) problems.workflow = t('tests.choose_workflow_first')
    const stepProblem = checkSteps(current.steps)
    if (stepProblem) problems.steps = stepProblem
    setLocalErrors(problems)
    if (Object.keys(problems).length) return
    setSimulating(true)
    setSimError(undefined)
    try {
      const answer = await api<SimResult>('POST', simulatePath(appKey), { body: simulationBody(current) })
      setResult(answer.data)
    } catch (error) {
      setSimError(explain(error))
    } finally {
      setSimulating(false)
    }
  }

  function choose(node: string, action: string) {
    const next = { ...doc, steps: [...doc.steps, { node, action }] }
    setDoc(next)
    setNotice('')
    void simulate(next)
  }

  async function save() {
    const problems: Record<string, string> = {}
    if (isNew) {
      if (!KEY_PATTERN.test(doc.key)) problems.key = t('common.key_invalid')
      else if (existingKeys.includes(doc.key)) problems.key = t('tests.key_taken')
    }
    if (!doc.label?.vi?.trim()) problems.label = t('common.required')
    if (!doc.workflow) problems.workflow = t('tests.choose_workflow_first')
    const stepProblem = checkSteps(doc.steps)
    if (stepProblem) problems.steps = stepProblem
    setLocalErrors(problems)
    if (Object.keys(problems).length) {
      const first = ['key', 'label', 'workflow', 'steps'].find((name) => problems[name])
      const target = document.getElementById(`${uid}-${first}`)
      const input = target?.matches('input, select') ? target : target?.querySelector<HTMLElement>('input, select')
      ;(input ?? target)?.focus()
      return
    }
    setSaving(true)
    setSaveError(undefined)
    setNotice('')
    try {
      const document = cleanDoc(doc)
      const saved = await saveDefinition(appKey, 'test', doc.key, document, revision)
      setRevision(saved.revision)
      setSavedJson(JSON.stringify(document))
      setIsNew(false)
      setNotice(t('tests.saved_ok'))
      setSavedAs({ key: doc.key, revision: saved.revision })
    } catch (error) {
      setSaveError(error)
    } finally {
      setSaving(false)
    }
  }

  async function remove() {
    if (!window.confirm(t('tests.delete_confirm', { name: label(doc.label, doc.key) }))) return
    setSaving(true)
    setSaveError(undefined)
    try {
      await api('DELETE', definitionPath(appKey, 'test', doc.key), { revision })
      setDeleted(true)
    } catch (error) {
      setSaveError(error)
    } finally {
      setSaving(false)
    }
  }

  async function reloadAfterConflict() {
    setSaveError(undefined)
    if (isNew) {
      // Nothing of ours is on the server yet: take the draft's new revision, keep the work.
      try {
        const app = await api<AppDetail>('GET', appPath(appKey))
        setRevision(app.revision ?? app.data.draft.revision)
      } catch (error) {
        setSaveError(error)
      }
    } else {
      onReloaded()
    }
  }

  const title = isNew ? t('tests.editor_new') : t('tests.editor_edit', { name: label(doc.label, doc.key) })
  const visits = doc.expect?.visits ?? []

  return (
    <section className="tests-editor" aria-labelledby={`${uid}-title`}>
      <div className="toolbar tests-editor-bar">
        <h2 id={`${uid}-title`}>{title}</h2>
        <span className="spacer" />
        <span className={dirty ? 'status-dirty' : 'status-saved'} aria-live="polite">
          {saving ? t('common.saving') : dirty ? t('common.unsaved') : notice}
        </span>
        <button type="button" onClick={() => void simulate()} disabled={simulating || saving}>
          {t('tests.simulate')}
        </button>
        <button type="button" className="primary" onClick={() => void save()} disabled={saving}>
          {t('common.save')}
        </button>
        {!isNew && (
          <button type="button" className="danger" onClick={() => void remove()} disabled={saving}>
            {t('tests.delete')}
          </button>
        )}
        <Link to={`/apps/${appKey}/tests`} className="button">
          {t('tests.close_editor')}
        </Link>
      </div>
      <ErrorMessage error={saveError} onReload={() => void reloadAfterConflict()} />

      <div className="tests-columns">
        <div className="tests-form">
          <div className="tests-row">
            <div id={`${uid}-key`}>
            <TextField
              label={t('tests.key')}
              hint={isNew ? t('common.key_hint') : undefined}
              error={localErrors.key}
              value={doc.key}
              readOnly={!isNew}
              spellCheck={false}
              autoComplete="off"
              onChange={(event) => update({ key: event.target.value.trim() })}
            />
            </div>
            <div className={`field${localErrors.workflow ? ' invalid' : ''}`}>
              <label htmlFor={`${uid}-workflow`}>{t('tests.workflow')}</label>
              <select
                id={`${uid}-workflow`}
                value={doc.workflow}
                aria-invalid={localErrors.workflow ? true : undefined}
                aria-describedby={localErrors.workflow ? `${uid}-workflow-error` : undefined}
                onChange={(event) => {
                  const next = event.target.value
                  if (next === doc.workflow) return
                  update({
                    workflow: next,
                    steps: [],
                    expect: doc.expect?.status ? { status: doc.expect.status } : undefined
                  })
                  setResult(undefined)
                }}
              >
                <option value="">{t('tests.choose')}</option>
                {workflows.map((item) => (
                  <option key={item.key} value={item.key}>
                    {item.label || item.key}
                  </option>
                ))}
                {doc.workflow && !workflows.some((item) => item.key === doc.workflow) && (
                  <option value={doc.workflow}>{doc.workflow}</option>
                )}
              </select>
              {localErrors.workflow && (
                <small id={`${uid}-workflow-error`} className="field-error">
                  {localErrors.workflow}
                </small>
              )}
            </div>
          </div>
          <div id={`${uid}-label`} tabIndex={-1} className={localErrors.label ? 'field invalid' : undefined}>
            <LabelInput label={t('tests.name')} value={doc.label} required onChange={(value) => update({ label: value })} />
            {localErrors.label && <small className="field-error">{localErrors.label}</small>}
          </div>

          {doc.workflow && source.loading && !workflow && <Loading text={t('tests.loading_workflow')} />}
          {source.error && <ErrorMessage error={source.error} onRetry={source.reload} />}

          {workflow && (
            <>
              <fieldset className="tests-data">
                <legend>{t('tests.sample_data')}</legend>
                <p className="hint tests-muted">{t('tests.sample_data_hint')}</p>
                {fields.length === 0 && <p className="tests-muted">{t('tests.no_fields')}</p>}
                <div className="tests-grid">
                  {fields.map((field) => (
                    <FieldInput
                      key={field.key}
                      field={field}
                      value={doc.data[field.key]}
                      onChange={(value) => {
                        setDoc((current) => {
                          const data = { ...current.data }
                          if (value === undefined) delete data[field.key]
                          else data[field.key] = value
                          return { ...current, data }
                        })
                        setNotice('')
                      }}
                    />
                  ))}
                </div>
              </fieldset>

              <fieldset className="tests-steps" id={`${uid}-steps`} tabIndex={-1}>
                <legend>{t('tests.steps')}</legend>
                <p className="hint tests-muted">{t('tests.steps_hint')}</p>
                {tasks.length === 0 && <p className="tests-muted">{t('tests.no_tasks')}</p>}
                {doc.steps.length === 0 && tasks.length > 0 && <p className="tests-muted">{t('tests.no_steps')}</p>}
                {localErrors.steps && <p className="field-error">{localErrors.steps}</p>}
                <ol className="tests-step-list">
                  {doc.steps.map((step, index) => {
                    const node = workflow.nodes.find((item) => item.id === step.node)
                    const actions = nodeActions(node)
                    const formFields = nodeFormFields(node)
                    const stepError = stepErrors.get(index)
                    const n = index + 1
                    return (
                      <li key={index}>
                        <fieldset className={`tests-step${stepError ? ' has-error' : ''}`}>
                          <legend>{t('tests.step', { n })}</legend>
                          {stepError && (
                            <p className="field-error" id={`${uid}-step-${index}-error`}>
                              {stepError}
                            </p>
                          )}
                          <div className="tests-row">
                            <div className="field">
                              <label htmlFor={`${uid}-step-${index}-task`}>{t('tests.step_task')}</label>
                              <select
                                id={`${uid}-step-${index}-task`}
                                value={step.node}
                                aria-describedby={stepError ? `${uid}-step-${index}-error` : undefined}
                                onChange={(event) => {
                                  const chosen = workflow.nodes.find((item) => item.id === event.target.value)
                                  const choices = nodeActions(chosen)
                                  updateStep(index, {
                                    node: event.target.value,
                                    action: choices.length === 1 ? choices[0].key : '',
                                    data: undefined
                                  })
                                }}
                              >
                                <option value="">{t('tests.choose')}</option>
                                {tasks.map((task) => (
                                  <option key={task.id} value={task.id}>
                                    {label(task.label, task.id)}
                                  </option>
                                ))}
                                {step.node && !node && <option value={step.node}>{step.node}</option>}
                              </select>
                            </div>
                            <div className="field">
                              <label htmlFor={`${uid}-step-${index}-action`}>{t('tests.step_action')}</label>
                              <select
                                id={`${uid}-step-${index}-action`}
                                value={step.action}
                                disabled={!step.node}
                                onChange={(event) => updateStep(index, { action: event.target.value })}
                              >
                                <option value="">{t('tests.choose')}</option>
                                {actions.map((action) => (
                                  <option key={action.key} value={action.key}>
                                    {label(action.label, action.key)}
                                  </option>
                                ))}
                                {step.action && !actions.some((a) => a.key === step.action) && (
                                  <option value={step.action}>{step.action}</option>
                                )}
                              </select>
                            </div>
                            <div className="tests-step-tools">
                              <button
                                type="button"
                                id={`${uid}-step-${index}-up`}
                                aria-label={t('tests.move_up', { n })}
                                title={t('tests.move_up', { n })}
                                disabled={index === 0}
                                onClick={() => moveStep(index, -1)}
                              >
                                ↑
                              </button>
                              <button
                                type="button"
                                id={`${uid}-step-${index}-down`}
                                aria-label={t('tests.move_down', { n })}
                                title={t('tests.move_down', { n })}
                                disabled={index === doc.steps.length - 1}
                                onClick={() => moveStep(index, 1)}
                              >
                                ↓
                              </button>
                              <button
                                type="button"
                                className="danger"
                                aria-label={t('tests.remove_step', { n })}
                                title={t('tests.remove_step', { n })}
                                onClick={() => {
                                  update({ steps: doc.steps.filter((_, i) => i !== index) })
                                  requestAnimationFrame(() => document.getElementById(`${uid}-add-step`)?.focus())
                                }}
                              >
                                ×
                              </button>
                            </div>
                          </div>
                          {node && formFields.length > 0 && (
                            <details className="tests-step-data" open={!!step.data && Object.keys(step.data).length > 0}>
                              <summary>{t('tests.step_data')}</summary>
                              <div className="tests-grid">
                                {formFields.map((key) => {
                                  const field = fields.find((item) => item.key === key) ?? {
                                    key,
                                    type: 'json',
                                    label: { vi: key, en: key }
                                  }
                                  return (
                                    <FieldInput
                                      key={key}
                                      field={field}
                                      value={step.data?.[key]}
                                      onChange={(value) => {
                                        const data = { ...(step.data ?? {}) }
                                        if (value === undefined) delete data[key]
                                        else data[key] = value
                                        updateStep(index, { data: Object.keys(data).length ? data : undefined })
                                      }}
                                    />
                                  )
                                })}
                              </div>
                            </details>
                          )}
                        </fieldset>
                      </li>
                    )
                  })}
                </ol>
                <button
                  type="button"
                  id={`${uid}-add-step`}
                  disabled={tasks.length === 0}
                  onClick={() => {
                    const only = tasks.length === 1 ? tasks[0] : undefined
                    const choices = nodeActions(only)
                    update({
                      steps: [
                        ...doc.steps,
                        { node: only?.id ?? '', action: choices.length === 1 ? choices[0].key : '' }
                      ]
                    })
                    const index = doc.steps.length
                    requestAnimationFrame(() => document.getElementById(`${uid}-step-${index}-task`)?.focus())
                  }}
                >
                  {t('tests.add_step')}
                </button>
              </fieldset>

              <fieldset className="tests-expect">
                <legend>{t('tests.expect')}</legend>
                <div className="tests-row">
                  <div className="field">
                    <label htmlFor={`${uid}-expect-status`}>{t('tests.expect_status')}</label>
                    <select
                      id={`${uid}-expect-status`}
                      value={doc.expect?.status ?? ''}
                      onChange={(event) => update({ expect: { ...doc.expect, status: event.target.value || undefined } })}
                    >
                      <option value="">{t('tests.not_checked')}</option>
                      {STATUSES.map((status) => (
                        <option key={status} value={status}>
                          {t(`tests.status.${status}`)}
                        </option>
                      ))}
                    </select>
                  </div>
                  <div className="field">
                    <label htmlFor={`${uid}-expect-end`}>{t('tests.expect_end')}</label>
                    <select
                      id={`${uid}-expect-end`}
                      value={doc.expect?.end ?? ''}
                      onChange={(event) => update({ expect: { ...doc.expect, end: event.target.value || undefined } })}
                    >
                      <option value="">{t('tests.not_checked')}</option>
                      {endNodes(workflow).map((node) => (
                        <option key={node.id} value={node.id}>
                          {label(node.label, node.id)} ({node.id})
                        </option>
                      ))}
                    </select>
                  </div>
                </div>
                <fieldset className="tests-visits">
                  <legend>{t('tests.expect_visits')}</legend>
                  <div className="tests-visit-list">
                    {workflow.nodes.map((node) => (
                      <label key={node.id} className="tests-check">
                        <input
                          type="checkbox"
                          checked={visits.includes(node.id)}
                          onChange={(event) => {
                            const next = event.target.checked
                              ? workflow.nodes.map((item) => item.id).filter((id) => id === node.id || visits.includes(id))
                              : visits.filter((id) => id !== node.id)
                            update({ expect: { ...doc.expect, visits: next.length ? next : undefined } })
                          }}
                        />{' '}
                        {label(node.label, node.id)} <code className="tests-key">{node.id}</code>
                      </label>
                    ))}
                  </div>
                </fieldset>
              </fieldset>
            </>
          )}
        </div>

        <section className="panel tests-result-panel" aria-labelledby={`${uid}-result`} aria-busy={simulating}>
          <h2 id={`${uid}-result`}>{t('tests.result')}</h2>
          <div aria-live="polite">
            {simulating && <Loading text={t('tests.simulating')} />}
            <ErrorMessage error={simError} onRetry={() => void simulate()} />
            {result ? (
              <SimulationView
                result={result}
                workflow={workflow}
                busy={simulating}
                onChoose={choose}
                onFocusStep={(index) => document.getElementById(`${uid}-step-${index}-task`)?.focus()}
              />
            ) : (
              !simulating && !simError && <p className="tests-muted">{t('tests.result_empty')}</p>
            )}
          </div>
        </section>
      </div>
    </section>
  )
}
