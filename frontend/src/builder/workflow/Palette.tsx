// The palette: node types grouped, each a button (Enter/click adds it at the centre of the
// canvas) that can also be dragged onto the canvas.
import { label, t } from '../i18n'
import type { NodeType } from '../types'

export const DRAG_TYPE = 'application/x-lcnc-node-type'

const GROUP_ORDER = ['task', 'flow', 'event', 'automatic']

export function groupTypes(types: NodeType[]): [string, NodeType[]][] {
  const groups = new Map<string, NodeType[]>()
  for (const type of types) {
    if (!groups.has(type.group)) groups.set(type.group, [])
    groups.get(type.group)!.push(type)
  }
  const rank = (group: string) => {
    const index = GROUP_ORDER.indexOf(group)
    return index < 0 ? GROUP_ORDER.length : index
  }
  return [...groups.entries()].sort((a, b) => rank(a[0]) - rank(b[0]))
}

export function groupName(group: string): string {
  const text = t(`workflow.group_${group}`)
  return text === `workflow.group_${group}` ? group : text
}

export function Palette({ types, onAdd }: { types: NodeType[]; onAdd: (type: NodeType) => void }) {
  return (
    <nav className="wf-palette" aria-labelledby="wf-palette-title">
      <h2 id="wf-palette-title">{t('workflow.palette')}</h2>
      <p className="hint">{t('workflow.palette_hint')}</p>
      {groupTypes(types).map(([group, items]) => (
        <section key={group} aria-label={groupName(group)}>
          <h3>{groupName(group)}</h3>
          <ul>
            {items.map((type) => {
              const description = label(type.description)
              return (
                <li key={type.type}>
                  <button
                    type="button"
                    className="wf-palette-item"
                    draggable
                    aria-describedby={description ? `wf-type-${type.type}` : undefined}
                    onDragStart={(event) => {
                      event.dataTransfer.setData(DRAG_TYPE, type.type)
                      event.dataTransfer.effectAllowed = 'copy'
                    }}
                    onClick={() => onAdd(type)}
                  >
                    {label(type.label, type.type)}
                  </button>
                  {description && (
                    <small id={`wf-type-${type.type}`} className="hint">
                      {description}
                    </small>
                  )}
                </li>
              )
            })}
          </ul>
        </section>
      ))}
    </nav>
  )
}
