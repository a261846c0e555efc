import { describe, expect, it } from 'vitest'
import type { Transition, WorkflowNode } from '../types'
import { autoLayout, COLUMN_WIDTH, rankNodes } from './layout'

const node = (id: string, type = 'human_task'): WorkflowNode => ({ id, type })
const t = (from: string, to: string): Transition => ({ from, to })

function noOverlap(place: Record<string, { x: number; y: number }>) {
  const points = Object.values(place)
  for (let i = 0; i < points.length; i++)
    for (let j = i + 1; j < points.length; j++) {
      const sameRow = points[i].y === points[j].y
      expect(sameRow && Math.abs(points[i].x - points[j].x) < COLUMN_WIDTH).toBe(false)
    }
}

describe('auto layout', () => {
  it('puts the start on top and ranks by the longest path', () => {
    const nodes = [node('end', 'end'), node('b'), node('a'), node('start', 'start')]
    const transitions = [t('start', 'a'), t('a', 'b'), t('b', 'end'), t('a', 'end')]
    const rank = rankNodes(nodes, transitions)
    expect(Object.fromEntries(rank)).toEqual({ start: 0, a: 1, b: 2, end: 3 })
    const place = autoLayout(nodes, transitions)
    expect(place.start.y).toBe(0)
    expect(Math.min(...Object.values(place).map((p) => p.y))).toBe(place.start.y)
    expect(place.end.y).toBeGreaterThan(place.b.y)
  })

  it('spreads a rank horizontally without overlaps', () => {
    const nodes = [node('start', 'start'), node('split', 'parallel'), node('x'), node('y'), node('z'), node('join', 'join')]
    const transitions = [t('start', 'split'), t('split', 'x'), t('split', 'y'), t('split', 'z'), t('x', 'join'), t('y', 'join'), t('z', 'join')]
    const place = autoLayout(nodes, transitions)
    expect(new Set([place.x.y, place.y.y, place.z.y]).size).toBe(1)
    expect(place.x.x + place.z.x).toBe(0) // centred
    noOverlap(place)
  })

  it('a loop back does not break it', () => {
    const nodes = [node('start', 'start'), node('fill'), node('review'), node('end', 'end')]
    const transitions = [t('start', 'fill'), t('fill', 'review'), t('review', 'fill'), t('review', 'end')]
    const rank = rankNodes(nodes, transitions)
    expect(Object.fromEntries(rank)).toEqual({ start: 0, fill: 1, review: 2, end: 3 })
    noOverlap(autoLayout(nodes, transitions))
  })

  it('places unreachable nodes and ignores transitions to unknown nodes', () => {
    const nodes = [node('start', 'start'), node('lonely'), node('end', 'end')]
    const place = autoLayout(nodes, [t('start', 'end'), t('end', 'ghost'), t('lonely', 'lonely')])
    expect(Object.keys(place).sort()).toEqual(['end', 'lonely', 'start'])
    noOverlap(place)
  })
})
