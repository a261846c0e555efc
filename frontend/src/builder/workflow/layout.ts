// Automatic layout of a workflow graph, for workflows without saved positions (imported
// ones) and for the "Auto layout" button. Layered, top to bottom: a node's rank is the
// longest path to it from the start node, ignoring back edges (loops back to an earlier
// step), so a loop does not push everything down; each rank is spread horizontally.
import type { Transition, WorkflowNode } from '../types'

export interface Point {
  x: number
  y: number
}

export const LAYER_HEIGHT = 140
export const COLUMN_WIDTH = 240

/** Back edges found by a depth-first walk from the roots ("from→to" strings). */
function backEdges(ids: string[], out: Map<string, string[]>, roots: string[]): Set<string> {
  const back = new Set<string>()
  const state = new Map<string, 'open' | 'done'>()
  const visit = (start: string) => {
    // Iterative DFS to stay safe on long chains.
    const stack: [string, number][] = [[start, 0]]
    state.set(start, 'open')
    while (stack.length) {
      const top = stack[stack.length - 1]
      const [id, index] = top
      const next = out.get(id) ?? []
      if (index >= next.length) {
        state.set(id, 'done')
        stack.pop()
        continue
      }
      top[1] = index + 1
      const target = next[index]
      const seen = state.get(target)
      if (seen === 'open') back.add(`${id}→${target}`)
      else if (!seen) {
        state.set(target, 'open')
        stack.push([target, 0])
      }
    }
  }
  for (const root of roots) if (!state.has(root)) visit(root)
  for (const id of ids) if (!state.has(id)) visit(id)
  return back
}

/** Rank of every node: the longest path from a root over forward edges. */
export function rankNodes(nodes: WorkflowNode[], transitions: Transition[]): Map<string, number> {
  const ids = nodes.map((node) => node.id)
  const known = new Set(ids)
  const out = new Map<string, string[]>(ids.map((id) => [id, []]))
  for (const transition of transitions) {
    if (known.has(transition.from) && known.has(transition.to) && transition.from !== transition.to)
      out.get(transition.from)!.push(transition.to)
  }
  const starts = nodes.filter((node) => node.type === 'start').map((node) => node.id)
  const back = backEdges(ids, out, starts)
  const incoming = new Map<string, number>(ids.map((id) => [id, 0]))
  const forward = new Map<string, string[]>(ids.map((id) => [id, []]))
  for (const [from, targets] of out) {
    for (const to of targets) {
      if (back.has(`${from}→${to}`)) continue
      forward.get(from)!.push(to)
      incoming.set(to, (incoming.get(to) ?? 0) + 1)
    }
  }
  // Kahn's algorithm over the acyclic rest, relaxing ranks to the longest path.
  const rank = new Map<string, number>(ids.map((id) => [id, 0]))
  const queue = ids.filter((id) => incoming.get(id) === 0)
  queue.sort((a, b) => Number(starts.includes(b)) - Number(starts.includes(a)))
  while (queue.length) {
    const id = queue.shift()!
    for (const to of forward.get(id)!) {
      rank.set(to, Math.max(rank.get(to)!, rank.get(id)! + 1))
      incoming.set(to, incoming.get(to)! - 1)
      if (incoming.get(to) === 0) queue.push(to)
    }
  }
  return rank
}

/** Positions of every node: ranks top to bottom, each rank centred on x = 0. */
export function autoLayout(nodes: WorkflowNode[], transitions: Transition[]): Record<string, Point> {
  const rank = rankNodes(nodes, transitions)
  const layers = new Map<number, string[]>()
  for (const node of nodes) {
    const r = rank.get(node.id) ?? 0
    if (!layers.has(r)) layers.set(r, [])
    layers.get(r)!.push(node.id)
  }
  const positions: Record<string, Point> = {}
  for (const [r, ids] of layers) {
    ids.forEach((id, index) => {
      positions[id] = {
        x: Math.round((index - (ids.length - 1) / 2) * COLUMN_WIDTH),
        y: r * LAYER_HEIGHT
      }
    })
  }
  return positions
}
