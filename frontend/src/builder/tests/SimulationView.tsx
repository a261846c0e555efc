// The answer of a simulation: pass/fail, the path taken, the tasks created (assignee,
// deadline, action), where the case waits, what would have been sent, errors (with the
// step they refer to) and the expectations. With `onChoose`, the open tasks offer their
// actions: choosing one appends a step and runs again (exploring the workflow).
import { useId } from 'react'
import { t, useLanguage } from '../i18n'
import type { WorkflowDoc } from '../types'
import {
  type SimResult,
  actionName,
  formatAssignee,
  formatDue,
  nodeName,
  statusName,
  valueText
} from './model'

export default function SimulationView({
  result,
  workflow,
  onChoose,
  onFocusStep,
  busy
}: {
  result: SimResult
  workflow?: WorkflowDoc
  onChoose?: (node: string, action: string) => void
  onFocusStep?: (index: number) => void
  busy?: boolean
}) {
  useLanguage()
  const uid = useId()
  const open = result.tasks.filter((task) => !task.action)
  const canChoose = onChoose && result.status === 'running' && !result.errors.length && open.length > 0
  // One choice per node: a multi-task's parallel tasks are acted on one step at a time.
  const openNodes = open.filter((task, index) => open.findIndex((other) => other.node === task.node) === index)
  return (
    <div className="tests-result">
      <p className={`tests-verdict ${result.ok ? 'ok' : 'fail'}`}>
        <span className={`tests-badge ${result.ok ? 'ok' : 'fail'}`}>
          {result.ok ? t('tests.pass') : t('tests.fail')}
        </span>{' '}
        {result.ok ? t('tests.result_ok') : t('tests.result_fail')}{' '}
        <span className="tests-status">{t('tests.result_status', { status: statusName(result.status) })}</span>
      </p>

      {result.errors.length > 0 && (
        <section aria-labelledby={`${uid}-errors`}>
          <h3 id={`${uid}-errors`}>{t('tests.errors')}</h3>
          <ul className="tests-errors">
            {result.errors.map((error, index) => (
              <li key={index}>
                {error.step !== null && error.step !== undefined && (
                  <>
                    {onFocusStep ? (
                      <button type="button" className="link" onClick={() => onFocusStep(error.step as number)}>
                        {t('tests.error_step', { n: error.step + 1 })}
                      </button>
                    ) : (
                      <strong>{t('tests.error_step', { n: error.step + 1 })}</strong>
                    )}
                    {': '}
                  </>
                )}
                {error.message} <code className="tests-key">{error.code}</code>
              </li>
            ))}
          </ul>
        </section>
      )}

      {result.expectations.length > 0 && (
        <section aria-labelledby={`${uid}-expect`}>
          <h3 id={`${uid}-expect`}>{t('tests.expectations')}</h3>
          <ul className="tests-expectations">
            {result.expectations.map((check, index) => (
              <li key={index} className={check.ok ? 'ok' : 'fail'}>
                <span className={`tests-badge ${check.ok ? 'ok' : 'fail'}`}>
                  {check.ok ? t('tests.met') : t('tests.not_met')}
                </span>{' '}
                {t('tests.expect_row', {
                  what: t(`tests.what.${check.what}`),
                  expected: valueText(check.expected, check.what),
                  actual: valueText(check.actual, check.what)
                })}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby={`${uid}-path`}>
        <h3 id={`${uid}-path`}>{t('tests.path')}</h3>
        {result.path.length ? (
          <ol className="tests-path" aria-label={t('tests.path')}>
            {result.path.map((step, index) => {
              const name = step.label || nodeName(workflow, step.node)
              return (
                <li key={index}>
                  <span className={`tests-type type-${step.type}`}>{step.type}</span> {name}
                  {name !== step.node && (
                    <>
                      {' '}
                      <code className="tests-key">{step.node}</code>
                    </>
                  )}
                </li>
              )
            })}
          </ol>
        ) : (
          <p className="tests-muted">{t('tests.nothing')}</p>
        )}
      </section>

      <section aria-labelledby={`${uid}-tasks`}>
        <h3 id={`${uid}-tasks`}>{t('tests.tasks')}</h3>
        {result.tasks.length ? (
          <table className="list tests-tasks" aria-labelledby={`${uid}-tasks`}>
            <thead>
              <tr>
                <th scope="col">{t('tests.task')}</th>
                <th scope="col">{t('tests.assignee')}</th>
                <th scope="col">{t('tests.due')}</th>
                <th scope="col">{t('tests.action_taken')}</th>
              </tr>
            </thead>
            <tbody>
              {result.tasks.map((task, index) => (
                <tr key={index}>
                  <td>{task.label || nodeName(workflow, task.node)}</td>
                  <td>{formatAssignee(task.assignee)}</td>
                  <td>{formatDue(task.due)}</td>
                  <td>
                    {task.action ? (
                      actionName(workflow, task.node, task.action)
                    ) : (
                      <span className="tests-muted">{t('tests.open')}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="tests-muted">{t('tests.nothing')}</p>
        )}
      </section>

      {result.waiting.length > 0 && (
        <p>
          <strong>{t('tests.waiting')}:</strong>{' '}
          {result.waiting.map((node) => nodeName(workflow, node)).join(', ')}
        </p>
      )}

      {canChoose && (
        <section aria-labelledby={`${uid}-choose`} className="tests-choose">
          <h3 id={`${uid}-choose`}>{t('tests.choose_action')}</h3>
          <p className="tests-muted">{t('tests.choose_action_hint')}</p>
          {openNodes.map((task) => {
            const name = task.label || nodeName(workflow, task.node)
            return (
              <div key={task.node} role="group" aria-label={t('tests.choose_for', { task: name })} className="actions">
                <span>{t('tests.choose_for', { task: name })}:</span>
                {task.actions.map((action) => (
                  <button
                    key={action}
                    type="button"
                    disabled={busy}
                    onClick={() => onChoose?.(task.node, action)}
                  >
                    {actionName(workflow, task.node, action)}
                  </button>
                ))}
              </div>
            )
          })}
        </section>
      )}

      <section aria-labelledby={`${uid}-effects`}>
        <h3 id={`${uid}-effects`}>{t('tests.effects')}</h3>
        {result.effects.length ? (
          <ul className="tests-effects">
            {result.effects.map((effect, index) => (
              <li key={index}>
                <span className="tests-type">
                  {t(`tests.effect.${effect.kind}`) === `tests.effect.${effect.kind}`
                    ? effect.kind
                    : t(`tests.effect.${effect.kind}`)}
                </span>{' '}
                {effect.summary}
              </li>
            ))}
          </ul>
        ) : (
          <p className="tests-muted">{t('tests.no_effects')}</p>
        )}
      </section>
    </div>
  )
}
