import { describe, expect, it } from 'vitest'
import type { WorkflowDoc } from '../types'
import {
  addNode,
  checkNodeId,
  connect,
  deleteNodes,
  docToFlow,
  findingNode,
  flowToDoc,
  freeSpot,
  groupFindings,
  offsetBezier,
  parallelOffsets,
  newNodeId,
  positions,
  renameNode,
  ruleSummary,
  withLayout
} from './graph'

function sample(): WorkflowDoc {
  return {
    schema_version: 1,
    key: 'flow',
    entity: 'report',
    label: { vi: 'Quy trình' },
    description: { vi: 'mô tả' },
    calendar: 'vn',
    nodes: [
      { id: 'start', type: 'start' },
      {
        id: 'triage',
        type: 'human_task',
        label: { vi: 'Phân loại' },
        assignment: { agency: 'ioc', role: 'dispatcher' },
        actions: [
          { key: 'accept', label: { vi: 'Nhận' } },
          { key: 'reject', label: { vi: 'Từ chối' } }
        ],
        guards: { not_submitter: true },
        public_label: { vi: 'Đang phân loại' },
        future_key: { nested: [1, 2, 3] }
      },
      { id: 'check', type: 'human_task', label: { vi: 'Kiểm tra' }, guards: { not_actors_of: ['triage'] } },
      { id: 'done', type: 'end', outcome: 'resolved' },
      { id: 'rejected', type: 'end', outcome: 'rejected' }
    ],
    transitions: [
      { from: 'start', to: 'triage' },
      { from: 'triage', to: 'check', action: 'accept' },
      { from: 'triage', to: 'rejected', action: 'reject' },
      { from: 'check', to: 'done', action: 'ok', extra_transition_key: 7 } as never
    ],
    layout: { nodes: { start: { x: 0, y: 0 }, triage: { x: 0, y: 140 }, check: { x: 0, y: 280 }, done: { x: 0, y: 420 }, rejected: { x: 240, y: 280 } } }
  }
}

describe('document ↔ graph', () => {
  it('round trip keeps every property, known or not', () => {
    const doc = sample()
    const { nodes, edges } = docToFlow(doc)
    expect(nodes.map((node) => node.id)).toEqual(['start', 'triage', 'check', 'done', 'rejected'])
    expect(nodes[1].position).toEqual({ x: 0, y: 140 })
    expect(edges[1]).toMatchObject({ source: 'triage', target: 'check' })
    const back = flowToDoc(doc, nodes, edges)
    expect(back).toEqual(doc)
    expect(back.nodes[1].future_key).toEqual({ nested: [1, 2, 3] })
    // Copies: editing the graph's node does not touch the document.
    ;(nodes[1].data.node as Record<string, unknown>).future_key = 'changed'
    expect(doc.nodes[1].future_key).toEqual({ nested: [1, 2, 3] })
  })

  it('moved nodes are written into the layout', () => {
    const doc = sample()
    const { nodes, edges } = docToFlow(doc)
    nodes[4].position = { x: 300.4, y: 99.6 }
    expect(flowToDoc(doc, nodes, edges).layout!.nodes.rejected).toEqual({ x: 300, y: 100 })
  })

  it('computes positions when the layout is missing (imported workflows)', () => {
    const doc = sample()
    delete doc.layout
    const place = positions(doc)
    expect(Object.keys(place).sort()).toEqual(['check', 'done', 'rejected', 'start', 'triage'])
    expect(place.start.y).toBeLessThan(place.triage.y)
    const saved = withLayout(doc, place)
    expect(saved.layout!.nodes.done).toEqual(place.done)
  })
})

describe('editing nodes', () => {
  it('renaming a node updates transitions, layout and guards', () => {
    const renamed = renameNode(sample(), 'triage', 'sort_out')
    expect(renamed.nodes[1].id).toBe('sort_out')
    expect(renamed.nodes[1].future_key).toEqual({ nested: [1, 2, 3] })
    expect(renamed.transitions.filter((t) => t.from === 'sort_out' || t.to === 'sort_out')).toHaveLength(3)
    expect(renamed.transitions.some((t) => t.from === 'triage' || t.to === 'triage')).toBe(false)
    expect(renamed.layout!.nodes.sort_out).toEqual({ x: 0, y: 140 })
    expect(renamed.layout!.nodes.triage).toBeUndefined()
    expect(renamed.nodes[2].guards).toEqual({ not_actors_of: ['sort_out'] })
  })

  it('checks ids: pattern and uniqueness', () => {
    const doc = sample()
    expect(checkNodeId(doc, 'triage', 'triage')).toBeNull()
    expect(checkNodeId(doc, 'triage', 'check')).toBe('duplicate')
    expect(checkNodeId(doc, 'triage', 'Bad-Id')).toBe('pattern')
    expect(checkNodeId(doc, 'triage', '1abc')).toBe('pattern')
    expect(checkNodeId(doc, 'triage', 'new_name')).toBeNull()
  })

  it('new ids are the type plus a free number', () => {
    let doc = sample()
    expect(newNodeId(doc, 'human_task')).toBe('human_task_1')
    const added = addNode(doc, 'human_task', { x: 10, y: 20 }, { label: { vi: 'Việc' } })
    expect(added.id).toBe('human_task_1')
    doc = added.doc
    expect(doc.layout!.nodes.human_task_1).toEqual({ x: 10, y: 20 })
    expect(newNodeId(doc, 'human_task')).toBe('human_task_2')
    expect(/^[a-z][a-z0-9_]{0,62}$/.test(newNodeId(doc, 'x'.repeat(80)))).toBe(true)
  })

  it('deleting a node removes its transitions and position', () => {
    const doc = deleteNodes(sample(), ['check'])
    expect(doc.nodes.map((node) => node.id)).not.toContain('check')
    expect(doc.transitions).toHaveLength(2)
    expect(doc.layout!.nodes.check).toBeUndefined()
  })

  it('connecting a task picks a free action; a decision gets its default first', () => {
    let doc = sample()
    doc = { ...doc, transitions: doc.transitions.filter((t) => t.action !== 'reject') }
    doc = connect(doc, 'triage', 'done')
    expect(doc.transitions.at(-1)).toEqual({ from: 'triage', to: 'done', action: 'reject' })
    doc = addNode(doc, 'decision', { x: 0, y: 0 }).doc
    doc = connect(doc, 'decision_1', 'done')
    doc = connect(doc, 'decision_1', 'rejected')
    expect(doc.transitions.at(-2)).toEqual({ from: 'decision_1', to: 'done', default: true })
    expect(doc.transitions.at(-1)).toEqual({ from: 'decision_1', to: 'rejected' })
  })

  it('summarises rules shortly', () => {
    expect(ruleSummary({ '==': [{ var: 'category' }, 'flooding'] })).toBe('category == "flooding"')
    expect(ruleSummary({ and: [{ '>': [{ var: 'a' }, 1] }, { var: 'b' }] })).toBe('a > 1 and b')
    expect(ruleSummary({ '==': [{ var: 'x' }, 'y'.repeat(80)] }).length).toBe(40)
  })
})

describe('findings on nodes', () => {
  const doc = sample()
  it('maps params.node, params.nodes, paths with ids or indexes', () => {
    expect(findingNode({ code: 'a', message: 'm', params: { node: 'triage' } }, doc)).toBe('triage')
    expect(findingNode({ code: 'a', message: 'm', params: { nodes: ['nope', 'check'] } }, doc)).toBe('check')
    expect(findingNode({ code: 'a', message: 'm', path: 'workflows/flow/nodes/done' }, doc)).toBe('done')
    expect(findingNode({ code: 'a', message: 'm', path: 'workflows/flow/nodes/1/assignment' }, doc)).toBe('triage')
    expect(findingNode({ code: 'a', message: 'm', path: 'nodes[rejected].outcome' }, doc)).toBe('rejected')
  })
  it('leaves other findings unpinned', () => {
    const { byNode, other } = groupFindings(
      [
        { code: 'a', message: 'on triage', params: { node: 'triage' } },
        { code: 'b', message: 'other workflow', path: 'workflows/other/nodes/triage' },
        { code: 'c', message: 'workflow-wide', path: 'workflows/flow/deadline' },
        { code: 'd', message: 'unknown node', params: { node: 'ghost' } }
      ],
      doc
    )
    expect(Object.keys(byNode)).toEqual(['triage'])
    expect(other.map((finding) => finding.code)).toEqual(['b', 'c', 'd'])
  })
})

describe('parallelOffsets', () => {
  it('leaves a lone transition straight and spreads parallel ones symmetrically', () => {
    const offsets = parallelOffsets([
      { from: 'start', to: 'review' },
      { from: 'review', to: 'end', action: 'approve' },
      { from: 'review', to: 'end', action: 'return' },
      { from: 'check', to: 'end', condition: { '==': [1, 1] } },
      { from: 'check', to: 'end', default: true },
      { from: 'check', to: 'end', timeout: true }
    ])
    // Shifts are measured in the frame of the pair's alphabetical direction (end→review
    // here), so review→end's are mirrored: still symmetric, still apart.
    expect(offsets).toEqual([0, 24, -24, -48, 0, 48])
  })

  it('spreads two opposite transitions to opposite sides', () => {
    const offsets = parallelOffsets([
      { from: 'a', to: 'b' },
      { from: 'b', to: 'a' }
    ])
    // b→a's normal points the other way: the same sign in its own frame would overlap.
    expect(offsets).toEqual([-24, -24])
  })
})

describe('offsetBezier', () => {
  it('puts the label on the middle of the curve, shifted sideways by the offset', () => {
    const straight = offsetBezier({ x: 0, y: 0 }, { x: 0, y: 200 })
    expect(straight.labelX).toBeCloseTo(0)
    expect(straight.labelY).toBeCloseTo(100)
    const shifted = offsetBezier({ x: 0, y: 0 }, { x: 0, y: 200 }, 30)
    // Travelling down, the normal (-dy, dx)/length points to -x.
    expect(shifted.labelX).toBeCloseTo(-30)
    expect(shifted.labelY).toBeCloseTo(100)
    expect(shifted.path.startsWith('M0,0 C')).toBe(true)
    expect(shifted.path.endsWith(' 0,200')).toBe(true)
    expect(shifted.path).not.toBe(straight.path)
  })
})

describe('freeSpot', () => {
  const overlapping = (a: { x: number; y: number }, b: { x: number; y: number }) =>
    Math.abs(a.x - b.x) < 200 && Math.abs(a.y - b.y) < 90

  it('starts an empty canvas at the origin', () => {
    expect(freeSpot({})).toEqual({ x: 0, y: 0 })
  })

  it('goes below the selected step when that spot is free', () => {
    expect(freeSpot({ a: { x: 100, y: 0 }, b: { x: 600, y: 400 } }, 'a')).toEqual({ x: 100, y: 140 })
  })

  it('goes below the lowest step when nothing is selected', () => {
    expect(freeSpot({ a: { x: 100, y: 0 }, b: { x: -50, y: 300 } })).toEqual({ x: -50, y: 440 })
  })

  it('never lands on an existing step', () => {
    const place: Record<string, { x: number; y: number }> = {
      a: { x: 0, y: 0 },
      b: { x: 0, y: 140 },
      c: { x: 240, y: 140 },
      d: { x: -240, y: 150 }
    }
    const spot = freeSpot(place, 'a')
    for (const point of Object.values(place)) expect(overlapping(spot, point)).toBe(false)
    expect(spot).toEqual({ x: 480, y: 140 })
    // Repeated additions keep finding new free spots.
    for (let n = 0; n < 30; n++) {
      const next = freeSpot(place, 'a')
      for (const point of Object.values(place)) expect(overlapping(next, point)).toBe(false)
      place[`n${n}`] = next
    }
  })
})
