import { describe, expect, it } from 'vitest'
import type { Finding } from '../api'
import { findingTarget } from './model'

function finding(path?: string, params?: Record<string, unknown>): Finding {
  return { code: 'schema', message: 'x', path, params }
}

describe('findingTarget', () => {
  it('links an entity finding naming a field with ?field=', () => {
    // A schema finding of the bundle (indexes) and a check of a group field (its key).
    expect(findingTarget('city', 'entity', 'report', finding('entities/0/fields/3/options/0/label'))).toEqual({
      path: '/apps/city/entity/report?field=3'
    })
    expect(findingTarget('city', 'entity', 'report', finding('entities/report/fields/rows/fields/x'))).toEqual({
      path: '/apps/city/entity/report?field=rows'
    })
    expect(findingTarget('city', 'entity', 'report', finding('', { field: 'title' }))).toEqual({
      path: '/apps/city/entity/report?field=title'
    })
    // No field named: the editor only.
    expect(findingTarget('city', 'entity', 'report', finding('entities/report'))).toEqual({
      path: '/apps/city/entity/report'
    })
  })

  it('links a form finding naming a step or a placed field with ?step= and ?field=', () => {
    const target = (path?: string, params?: Record<string, unknown>) =>
      findingTarget('city', 'form', 'report_form', finding(path, params))?.path
    expect(target('forms/0/steps/1/fields/2/widget')).toBe('/apps/city/form/report_form?step=1&field=2')
    expect(target('forms/report_form/steps/details/depth/visible_if')).toBe(
      '/apps/city/form/report_form?step=details&field=depth'
    )
    expect(target('forms/report_form/steps/details/depth')).toBe('/apps/city/form/report_form?step=details&field=depth')
    expect(target('steps/1/label')).toBe('/apps/city/form/report_form?step=1')
    expect(target('steps/1')).toBe('/apps/city/form/report_form?step=1')
    expect(target('', { step: 'details' })).toBe('/apps/city/form/report_form?step=details')
    expect(target('', { field: 'depth' })).toBe('/apps/city/form/report_form?field=depth')
    expect(target('', { step: 0, field: 'a b' })).toBe('/apps/city/form/report_form?step=0&field=a%20b')
    expect(target('forms/report_form')).toBe('/apps/city/form/report_form')
  })

  it('keeps workflow and test links as they were', () => {
    expect(findingTarget('city', 'workflow', 'flow', finding('workflows/flow/nodes/approve/config'))).toEqual({
      path: '/apps/city/workflow/flow?node=approve',
      node: 'approve'
    })
    expect(findingTarget('city', 'test', 't1', finding('tests/t1'))?.path).toBe('/apps/city/tests?test=t1')
    expect(findingTarget('city', 'bundle', 'x', finding('x'))).toBeUndefined()
  })
})
