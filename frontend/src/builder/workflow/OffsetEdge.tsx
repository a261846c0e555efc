// A way out drawn as a curve pushed sideways by its `offset`, so that two transitions
// between the same pair of steps (approve and return to the same next step, a condition
// and the default) are both visible, with their labels apart and each clickable.
import { BaseEdge, type EdgeProps } from '@xyflow/react'
import { type FlowEdge, offsetBezier } from './graph'

export function OffsetEdge({
  id,
  sourceX,
  sourceY,
  targetX,
  targetY,
  data,
  label,
  markerEnd,
  style,
  interactionWidth
}: EdgeProps<FlowEdge>) {
  const { path, labelX, labelY } = offsetBezier(
    { x: sourceX, y: sourceY },
    { x: targetX, y: targetY },
    data?.offset ?? 0
  )
  return (
    <BaseEdge
      id={id}
      path={path}
      labelX={labelX}
      labelY={labelY}
      label={label}
      labelShowBg
      labelBgPadding={[4, 2]}
      labelBgBorderRadius={3}
      markerEnd={markerEnd}
      style={style}
      interactionWidth={interactionWidth}
    />
  )
}
