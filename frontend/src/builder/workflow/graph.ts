// Pure helpers over a workflow document: conversion to and from React Flow's nodes and
// edges, adding, renaming and deleting nodes, transitions' labels, and pinning findings
// on nodes. The document stays the source of truth: every node object is copied, never
// rebuilt, so keys this editor does not know survive a save.
import type { Edge, Node } from '@xyflow/react'
import { type Finding, findingParam } from '../api'
import type { Transition, WorkflowDoc, WorkflowNode } from '../types'
import { COLUMN_WIDTH, LAYER_HEIGHT, autoLayout, type Point } from './layout'

export const NODE_ID_PATTERN = /^[a-z][a-z0-9_]{0,62}$/
export const TASK_TYPES = new Set(['human_task', 'multi_task'])
export const CONDITION_TYPES = new Set(['decision', 'inclusive', 'multi_task', 'subprocess'])

export interface FlowNodeData extends Record<string, unknown> {
  node: WorkflowNode
  /** Drawing hints added by the editor (not part of the document). */
  typeLabel?: string
  terminal?: boolean
  findings?: Finding[]
}
export interface FlowEdgeData extends Record<string, unknown> {
  transition: Transition
  index: number
  /** Sideways shift (px) of the drawn curve, so that parallel ways out do not overlap. */
  offset?: number
}
export type FlowNode = Node<FlowNodeData, 'workflow'>
export type FlowEdge = Edge<FlowEdgeData>

/** Saved positions, completed by an automatic layout when any node has none. */
export function positions(doc: WorkflowDoc): Record<string, Point> {
  const saved = doc.layout?.nodes ?? {}
  const missing = doc.nodes.some((node) => !saved[node.id])
  if (!missing) return saved
  const computed = autoLayout(doc.nodes, doc.transitions)
  const result: Record<string, Point> = {}
  const anySaved = doc.nodes.some((node) => saved[node.id])
  for (const node of doc.nodes) {
    // Keep what was saved; place new ones below everything when others were placed by hand.
    if (saved[node.id]) result[node.id] = saved[node.id]
    else if (anySaved) {
      const bottom = Math.max(...Object.values(saved).map((point) => point.y), 0)
      result[node.id] = { x: computed[node.id].x, y: bottom + 140 + computed[node.id].y }
    } else result[node.id] = computed[node.id]
  }
  return result
}

/** Distance between two parallel ways out at their middle (px). */
export const PARALLEL_SPACING = 48

/**
 * The sideways shift of each transition (by index): transitions between the same two steps
 * (either direction) are spread symmetrically around the straight line (…, -48, 0, 48, …
 * for an odd count, …, -24, 24, … for an even one); a lone transition gets 0. The shift is
 * measured perpendicular to the line from → to, so two opposite transitions are turned to
 * face the same way before spreading.
 */
export function parallelOffsets(transitions: Transition[], spacing = PARALLEL_SPACING): number[] {
  const groups = new Map<string, number[]>()
  transitions.forEach((transition, index) => {
    const pair = [transition.from, transition.to].sort().join('\u0000')
    const group = groups.get(pair)
    if (group) group.push(index)
    else groups.set(pair, [index])
  })
  const offsets = transitions.map(() => 0)
  for (const group of groups.values()) {
    if (group.length < 2) continue
    group.forEach((index, position) => {
      const shift = (position - (group.length - 1) / 2) * spacing
      const transition = transitions[index]
      // The perpendicular of to→from points the other way: flip so both spread apart.
      const reversed = transition.from > transition.to
      offsets[index] = reversed ? -shift : shift
    })
  }
  return offsets
}

export interface EdgeGeometry {
  path: string
  labelX: number
  labelY: number
}

/**
 * An S-shaped cubic curve from the bottom of one step to the top of another (like React
 * Flow's bezier edge), pushed sideways by `offset` px at its middle; the label sits on
 * the curve's middle. Also for offset 0, so that every edge is drawn alike.
 */
export function offsetBezier(
  source: Point,
  target: Point,
  offset = 0
): EdgeGeometry {
  const dy = target.y - source.y
  // Control distance: half the height when the target is below, more for a way back up.
  const reach = dy >= 0 ? Math.max(dy / 2, 20) : 25 * 0.25 * Math.sqrt(-dy) + 40
  let c1 = { x: source.x, y: source.y + reach }
  let c2 = { x: target.x, y: target.y - reach }
  if (offset) {
    const dx = target.x - source.x
    const length = Math.hypot(dx, dy) || 1
    // Unit normal of the line source→target (pointing right of the direction of travel).
    const nx = -dy / length
    const ny = dx / length
    // A cubic's middle is (P0 + 3·C1 + 3·C2 + P3) / 8: moving both controls by k moves it by 3k/4.
    const k = (offset * 4) / 3
    c1 = { x: c1.x + nx * k, y: c1.y + ny * k }
    c2 = { x: c2.x + nx * k, y: c2.y + ny * k }
  }
  const labelX = (source.x + 3 * c1.x + 3 * c2.x + target.x) / 8
  const labelY = (source.y + 3 * c1.y + 3 * c2.y + target.y) / 8
  const path = `M${source.x},${source.y} C${c1.x},${c1.y} ${c2.x},${c2.y} ${target.x},${target.y}`
  return { path, labelX, labelY }
}

export function edgeId(index: number): string {
  return `t${index}`
}

/** React Flow nodes and edges of a document. */
function testId(id: string): Record<string, string> {
  return { 'data-testid': `node-${id}` }
}

export function docToFlow(doc: WorkflowDoc): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const place = positions(doc)
  const nodes: FlowNode[] = doc.nodes.map((node) => ({
    id: node.id,
    type: 'workflow',
    position: { ...place[node.id] },
    data: { node: { ...node } },
    domAttributes: testId(node.id)
  }))
  const edges: FlowEdge[] = doc.transitions.map((transition, index) => ({
    id: edgeId(index),
    source: transition.from,
    target: transition.to,
    data: { transition: { ...transition }, index }
  }))
  return { nodes, edges }
}

/** The document back from React Flow's nodes and edges; keys not on the canvas come from `base`. */
export function flowToDoc(base: WorkflowDoc, nodes: FlowNode[], edges: FlowEdge[]): WorkflowDoc {
  const layout: Record<string, Point> = {}
  for (const node of nodes) {
    layout[node.id] = { x: Math.round(node.position.x), y: Math.round(node.position.y) }
  }
  return {
    ...base,
    nodes: nodes.map((node) => ({ ...node.data.node, id: node.id })),
    transitions: edges.map((edge) => ({
      ...(edge.data?.transition ?? {}),
      from: edge.source,
      to: edge.target
    })),
    layout: { ...(base.layout ?? {}), nodes: layout }
  }
}

/** Positions of every node written into the document's layout. */
export function withLayout(doc: WorkflowDoc, place: Record<string, Point>): WorkflowDoc {
  const nodes: Record<string, Point> = {}
  for (const node of doc.nodes) {
    const point = place[node.id] ?? doc.layout?.nodes?.[node.id]
    if (point) nodes[node.id] = { x: Math.round(point.x), y: Math.round(point.y) }
  }
  return { ...doc, layout: { ...(doc.layout ?? {}), nodes } }
}

/** A new node id: the type plus the first free number ("human_task_1"). */
export function newNodeId(doc: WorkflowDoc, type: string): string {
  let base = type.toLowerCase().replace(/[^a-z0-9_]/g, '_')
  if (!/^[a-z]/.test(base)) base = `node_${base}`
  base = base.slice(0, 56)
  const taken = new Set(doc.nodes.map((node) => node.id))
  let number = 1
  while (taken.has(`${base}_${number}`)) number += 1
  return `${base}_${number}`
}

/** Add a node of `type` at `position`; answers the new document and the node's id. */
export function addNode(
  doc: WorkflowDoc,
  type: string,
  position: Point,
  template: Partial<WorkflowNode> = {}
): { doc: WorkflowDoc; id: string } {
  const id = newNodeId(doc, type)
  const node: WorkflowNode = { ...structuredClone(template), id, type }
  return {
    id,
    doc: withLayout(
      { ...doc, nodes: [...doc.nodes, node] },
      { ...positions(doc), [id]: { x: Math.round(position.x), y: Math.round(position.y) } }
    )
  }
}

/** The drawn size of a step, with a margin: two steps closer than this overlap. */
export const NODE_BOX = { width: 200, height: 90 }

function overlaps(point: Point, taken: Point[]): boolean {
  return taken.some(
    (other) => Math.abs(other.x - point.x) < NODE_BOX.width && Math.abs(other.y - point.y) < NODE_BOX.height
  )
}

/**
 * Where a step added without a drop point goes: below `near` (the selected step) when
 * given, otherwise below the lowest step (at the left edge of the drawing); the first spot
 * free of every other step, trying that row from the middle outwards (right, left, two
 * right, …), then the rows further down. An empty canvas starts at (0, 0).
 */
export function freeSpot(place: Record<string, Point>, near?: string): Point {
  const taken = Object.values(place)
  if (!taken.length) return { x: 0, y: 0 }
  const anchor = near ? place[near] : undefined
  const start = anchor
    ? { x: anchor.x, y: anchor.y + LAYER_HEIGHT }
    : { x: Math.min(...taken.map((p) => p.x)), y: Math.max(...taken.map((p) => p.y)) + LAYER_HEIGHT }
  for (let row = 0; row < 100; row++) {
    for (let step = 0; step < 12; step++) {
      // 0, +1, -1, +2, -2, …
      const column = step % 2 ? (step + 1) / 2 : -step / 2
      const point = { x: start.x + column * COLUMN_WIDTH, y: start.y + row * LAYER_HEIGHT }
      if (!overlaps(point, taken)) return { x: Math.round(point.x), y: Math.round(point.y) }
    }
  }
  // Unreachable in practice (fewer than 1200 steps around): below everything.
  return { x: start.x, y: Math.max(...taken.map((p) => p.y)) + LAYER_HEIGHT }
}

export type IdProblem = 'pattern' | 'duplicate' | null

export function checkNodeId(doc: WorkflowDoc, current: string, candidate: string): IdProblem {
  if (!NODE_ID_PATTERN.test(candidate)) return 'pattern'
  if (candidate !== current && doc.nodes.some((node) => node.id === candidate)) return 'duplicate'
  return null
}

/** Rename a node: its transitions, its position and references by other tasks' guards follow. */
export function renameNode(doc: WorkflowDoc, from: string, to: string): WorkflowDoc {
  if (from === to) return doc
  const rename = (id: string) => (id === from ? to : id)
  const nodes = doc.nodes.map((node) => {
    let copy: WorkflowNode = node.id === from ? { ...node, id: to } : node
    const guards = copy.guards as { not_actors_of?: string[] } | undefined
    if (guards?.not_actors_of?.includes(from)) {
      copy = { ...copy, guards: { ...guards, not_actors_of: guards.not_actors_of.map(rename) } }
    }
    return copy
  })
  const transitions = doc.transitions.map((transition) =>
    transition.from === from || transition.to === from
      ? { ...transition, from: rename(transition.from), to: rename(transition.to) }
      : transition
  )
  let layout = doc.layout
  if (layout?.nodes && from in layout.nodes) {
    const entries = Object.entries(layout.nodes).map(([id, point]): [string, Point] => [rename(id), point])
    layout = { ...layout, nodes: Object.fromEntries(entries) }
  }
  return { ...doc, nodes, transitions, layout }
}

/** Delete nodes and every transition that touches them. */
export function deleteNodes(doc: WorkflowDoc, ids: string[]): WorkflowDoc {
  const gone = new Set(ids)
  let layout = doc.layout
  if (layout?.nodes) {
    layout = {
      ...layout,
      nodes: Object.fromEntries(Object.entries(layout.nodes).filter(([id]) => !gone.has(id)))
    }
  }
  return {
    ...doc,
    nodes: doc.nodes.filter((node) => !gone.has(node.id)),
    transitions: doc.transitions.filter((t) => !gone.has(t.from) && !gone.has(t.to)),
    layout
  }
}

export function deleteTransitions(doc: WorkflowDoc, indexes: number[]): WorkflowDoc {
  const gone = new Set(indexes)
  return { ...doc, transitions: doc.transitions.filter((_, index) => !gone.has(index)) }
}

export function replaceNode(doc: WorkflowDoc, id: string, node: WorkflowNode): WorkflowDoc {
  return { ...doc, nodes: doc.nodes.map((current) => (current.id === id ? node : current)) }
}

export function replaceTransition(doc: WorkflowDoc, index: number, transition: Transition): WorkflowDoc {
  return {
    ...doc,
    transitions: doc.transitions.map((current, i) => (i === index ? transition : current))
  }
}

export function actionKeys(node: WorkflowNode | undefined): string[] {
  const actions = node?.actions
  if (!Array.isArray(actions)) return []
  return actions
    .map((action) => (action && typeof action === 'object' ? (action as { key?: unknown }).key : undefined))
    .filter((key): key is string => typeof key === 'string')
}

/** A new transition from → to, with the key its source needs guessed sensibly. */
export function connect(doc: WorkflowDoc, from: string, to: string): WorkflowDoc {
  const source = doc.nodes.find((node) => node.id === from)
  const transition: Transition = { from, to }
  const leaving = doc.transitions.filter((t) => t.from === from)
  if (source?.type === 'human_task') {
    const used = new Set(leaving.map((t) => t.action))
    const free = actionKeys(source).find((key) => !used.has(key))
    if (free) transition.action = free
  } else if (source?.type === 'decision' || source?.type === 'inclusive') {
    if (!leaving.some((t) => t.default)) transition.default = true
  }
  return { ...doc, transitions: [...doc.transitions, transition] }
}

/** A short, readable summary of a JSON Logic rule ("category == flooding"). */
export function ruleSummary(rule: unknown, max = 40): string {
  const text = summarise(rule)
  return text.length > max ? text.slice(0, max - 1) + '…' : text
}

function summarise(rule: unknown): string {
  if (rule === null || rule === undefined) return ''
  if (typeof rule !== 'object') return JSON.stringify(rule)
  if (Array.isArray(rule)) return `[${rule.map(summarise).join(', ')}]`
  const entries = Object.entries(rule as Record<string, unknown>)
  if (entries.length !== 1) return JSON.stringify(rule)
  const [op, args] = entries[0]
  const list = Array.isArray(args) ? args : [args]
  if (op === 'var') return String(list[0] ?? '')
  if (['==', '===', '!=', '!==', '<', '<=', '>', '>=', 'in'].includes(op) && list.length === 2)
    return `${summarise(list[0])} ${op} ${summarise(list[1])}`
  if (op === 'and' || op === 'or') return list.map(summarise).join(` ${op} `)
  if (op === '!') return `not ${summarise(list[0])}`
  return `${op}(${list.map(summarise).join(', ')})`
}

// ------------------------------------------------------------------ findings

const NODE_PATH = /(?:^|\/)workflows\/([^/]+)\/nodes\/([^/]+)/
const NODE_BRACKET = /nodes\[['"]?([^\]'"]+)['"]?\]/

/** The node of this workflow a finding is about, if any. */
export function findingNode(finding: Finding, doc: WorkflowDoc): string | undefined {
  const ids = new Set(doc.nodes.map((node) => node.id))
  const path = finding.path ?? ''
  const inPath = NODE_PATH.exec(path)
  if (inPath && inPath[1] !== doc.key) return undefined
  if (finding.definition && ![doc.key, `workflow:${doc.key}`, `workflows/${doc.key}`].includes(finding.definition) && !inPath)
    return undefined
  const candidates: unknown[] = [findingParam(finding, 'node')]
  const nodes = findingParam(finding, 'nodes')
  if (Array.isArray(nodes)) candidates.push(...(nodes as unknown[]))
  if (inPath) {
    candidates.push(inPath[2])
    if (/^\d+$/.test(inPath[2])) candidates.push(doc.nodes[Number(inPath[2])]?.id)
  }
  const bracket = NODE_BRACKET.exec(path)
  if (bracket) candidates.push(bracket[1])
  return candidates.find((id): id is string => typeof id === 'string' && ids.has(id))
}

/** Findings pinned on nodes of this workflow, and the others. */
export function groupFindings(
  findings: Finding[],
  doc: WorkflowDoc
): { byNode: Record<string, Finding[]>; other: Finding[] } {
  const byNode: Record<string, Finding[]> = {}
  const other: Finding[] = []
  for (const finding of findings) {
    const id = findingNode(finding, doc)
    if (id) (byNode[id] ??= []).push(finding)
    else other.push(finding)
  }
  return { byNode, other }
}
