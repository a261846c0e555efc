// The workflow editor (/builder/apps/:app/workflow/:key): a graph of steps on React Flow,
// a palette of node types, an inspector for the selected step or way out, findings pinned
// on steps, and saving with the draft's revision (If-Match). The document is the source
// of truth; the canvas is drawn from it and every edit goes back into it.
import {
  Background,
  Controls,
  MarkerType,
  ReactFlow,
  ReactFlowProvider,
  applyNodeChanges,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type AriaLabelConfig,
  type EdgeTypes,
  type NodeChange,
  type NodeTypes
} from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import { type DragEvent, useCallback, useEffect, useEffectEvent, useMemo, useRef, useState } from 'react'
import { ApiError, type Finding, api, appPath, loadDefinition, saveDefinition } from '../api'
import type { RuleField } from '../editors/RuleEditor'
import { useAsync, useUnsavedWarning } from '../hooks'
import { label, t, useLanguage } from '../i18n'
import { Link, useRoute } from '../router'
import type { EntityDoc, NodeType, Transition, WorkflowDoc, WorkflowNode } from '../types'
import { ErrorMessage, FindingList, LabelInput, Loading, SteadyLabel } from '../ui'
import {
  addNode,
  connect,
  deleteNodes,
  deleteTransitions,
  docToFlow,
  edgeId,
  freeSpot,
  groupFindings,
  parallelOffsets,
  positions,
  renameNode,
  replaceNode,
  replaceTransition,
  ruleSummary,
  withLayout,
  type FlowEdge,
  type FlowNode
} from './graph'
import { EdgeInspector, NodeInspector } from './Inspector'
import { autoLayout, type Point } from './layout'
import './messages'
import { fallbackTypes, nodeTemplate } from './nodeTypes'
import { NodeView } from './NodeView'
import { OffsetEdge } from './OffsetEdge'
import { DRAG_TYPE, Palette } from './Palette'
import type { Agency, Role } from './TaskSections'
import './workflow.css'

const NODE_TYPES: NodeTypes = { workflow: NodeView }
const EDGE_TYPES: EdgeTypes = { workflow: OffsetEdge }
/** Half the drawn size of a step: a new step is centred where it is dropped. */
const NODE_HALF = { x: 90, y: 32 }

type Selection = { kind: 'node'; id: string } | { kind: 'edge'; index: number } | null

interface PaletteData {
  types: NodeType[]
  missing: boolean
}

export default function WorkflowEditor({ appKey, definitionKey }: { appKey: string; definitionKey: string }) {
  const language = useLanguage()
  const [generation, setGeneration] = useState(0)
  const definition = useAsync(
    () => loadDefinition(appKey, 'workflow', definitionKey),
    [appKey, definitionKey]
  )
  const palette = useAsync<PaletteData>(async (signal) => {
    try {
      const result = await api<NodeType[]>('GET', 'node-types/', { signal })
      if (!Array.isArray(result.data)) return { types: [], missing: true }
      return { types: result.data, missing: false }
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error
      return { types: [], missing: true }
    }
  }, [])
  const doc = definition.data?.document as WorkflowDoc | undefined
  const entityKey = doc?.entity
  const entity = useAsync(async () => {
    if (!entityKey) return undefined
    try {
      return (await loadDefinition(appKey, 'entity', entityKey)).document as EntityDoc
    } catch {
      return undefined
    }
  }, [appKey, entityKey])
  const directory = useAsync(async (signal) => {
    const list = async <T,>(path: string): Promise<T[]> => {
      try {
        const result = await api<T[] | { results: T[] }>('GET', path, { signal })
        const data = result.data
        return Array.isArray(data) ? data : Array.isArray(data?.results) ? data.results : []
      } catch {
        return []
      }
    }
    const [agencies, roles] = await Promise.all([list<Agency>('agencies/'), list<Role>('roles/')])
    return { agencies, roles }
  }, [language]) // role names come in the request's language

  const appLink = `/apps/${encodeURIComponent(appKey)}`
  if (definition.error) {
    const notFound = definition.error instanceof ApiError && definition.error.status === 404
    return (
      <main id="main" className="page">
        <p className="breadcrumbs">
          <Link to={appLink}>{appKey}</Link>
        </p>
        {notFound ? (
          <>
            <h1>{t('workflow.not_found_title')}</h1>
            <p>{t('workflow.not_found', { key: definitionKey })}</p>
            <Link to={appLink}>{t('workflow.back_to_app')}</Link>
          </>
        ) : (
          <ErrorMessage error={definition.error} onRetry={definition.reload} />
        )}
      </main>
    )
  }
  if (!definition.data || !doc || !palette.data) {
    return (
      <main id="main" className="page">
        <Loading />
      </main>
    )
  }
  const types = palette.data.missing ? fallbackTypes(doc) : palette.data.types
  return (
    <ReactFlowProvider>
      <Editor
        key={`${generation}:${definition.data.revision}`}
        appKey={appKey}
        definitionKey={definitionKey}
        initial={doc}
        initialRevision={definition.data.revision}
        types={types}
        typesMissing={palette.data.missing}
        entity={entity.data}
        agencies={directory.data?.agencies ?? []}
        roles={directory.data?.roles ?? []}
        onReload={() => {
          setGeneration((value) => value + 1)
          definition.reload()
        }}
      />
    </ReactFlowProvider>
  )
}

export function entityFields(entity: EntityDoc | undefined): RuleField[] {
  return (entity?.fields ?? []).map((field) => ({
    key: field.key,
    label: label(field.label, field.key),
    type: field.type,
    options: field.options?.map((option) => ({ value: option.value, label: label(option.label, option.value) }))
  }))
}

function Editor({
  appKey,
  definitionKey,
  initial,
  initialRevision,
  types,
  typesMissing,
  entity,
  agencies,
  roles,
  onReload
}: {
  appKey: string
  definitionKey: string
  initial: WorkflowDoc
  initialRevision: string
  types: NodeType[]
  typesMissing: boolean
  entity: EntityDoc | undefined
  agencies: Agency[]
  roles: Role[]
  onReload: () => void
}) {
  const language = useLanguage()
  const flow = useReactFlow<FlowNode, FlowEdge>()
  const canvas = useRef<HTMLDivElement>(null)
  const [doc, setDoc] = useState<WorkflowDoc>(initial)
  const [revision, setRevision] = useState(initialRevision)
  const [dirty, setDirty] = useState(false)
  // ?node=<id> (a link from a finding): that step starts selected and the view centred on it.
  const route = useRoute()
  const [focus] = useState(() => focusNode(initial, route.query.get('node')))
  const [selected, setSelected] = useState<Selection>(focus ? { kind: 'node', id: focus } : null)
  const [findings, setFindings] = useState<Finding[] | null>(null)
  const [checking, setChecking] = useState(false)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [saved, setSaved] = useState(false)
  const [announce, setAnnounce] = useState('')
  useUnsavedWarning(dirty)

  const change = useCallback((next: (current: WorkflowDoc) => WorkflowDoc) => {
    setDoc(next)
    setDirty(true)
    setSaved(false)
  }, [])

  const typeMap = useMemo(() => new Map(types.map((type) => [type.type, type])), [types])
  const fields = useMemo(() => entityFields(entity), [entity, language]) // eslint-disable-line react-hooks/exhaustive-deps
  const grouped = useMemo(() => groupFindings(findings ?? [], doc), [findings, doc])
  const typeLabel = useCallback(
    (type: string) => label(typeMap.get(type)?.label, type),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [typeMap, language]
  )

  // ---------------------------------------------------------------- canvas state
  const [nodes, setNodes] = useState<FlowNode[]>([])
  // The canvas is drawn again from the document whenever one of these changes, in the same
  // render (React Flow's own changes, e.g. measured sizes, are kept in between).
  const sources = [doc, typeMap, typeLabel, grouped, selected]
  const [drawnFrom, setDrawnFrom] = useState<unknown[]>([])
  if (sources.some((value, index) => !Object.is(value, drawnFrom[index]))) {
    setDrawnFrom(sources)
    const built = docToFlow(doc).nodes
    setNodes((previous) => {
      const before = new Map(previous.map((node) => [node.id, node]))
      return built.map((node) => {
        const type = typeMap.get(node.data.node.type)
        const text = typeLabel(node.data.node.type)
        return {
          ...node,
          measured: before.get(node.id)?.measured,
          selected: selected?.kind === 'node' && selected.id === node.id,
          ariaLabel: `${text}: ${label(node.data.node.label, node.id)} (${node.id})`,
          data: {
            ...node.data,
            typeLabel: text,
            terminal: type ? type.terminal : node.data.node.type === 'end' || node.data.node.type === 'terminate',
            findings: grouped.byNode[node.id] ?? []
          }
        }
      })
    })
  }

  const edges: FlowEdge[] = useMemo(() => {
    const offsets = parallelOffsets(doc.transitions)
    return doc.transitions.map((transition, index): FlowEdge => {
      const text = transitionLabel(doc, transition)
      return {
        id: edgeId(index),
        type: 'workflow',
        source: transition.from,
        target: transition.to,
        label: text,
        selected: selected?.kind === 'edge' && selected.index === index,
        markerEnd: { type: MarkerType.ArrowClosed },
        className: transition.default ? 'wf-edge-default' : undefined,
        ariaLabel: `${transition.from} → ${transition.to}${text ? `: ${text}` : ''}`,
        data: { transition, index, offset: offsets[index] }
      }
    })
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doc, selected, language])

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      const kept = changes.filter((item) => item.type !== 'remove')
      setNodes((current) => applyNodeChanges(kept, current))
      const moved: Record<string, Point> = {}
      for (const item of kept) {
        if (item.type === 'position' && item.position && !item.dragging) moved[item.id] = item.position
        if (item.type === 'select' && item.selected) setSelected({ kind: 'node', id: item.id })
      }
      if (Object.keys(moved).length) change((current) => withLayout(current, { ...positions(current), ...moved }))
    },
    [change]
  )
  const onEdgesChange = useCallback((changes: EdgeChange<FlowEdge>[]) => {
    for (const item of changes) {
      if (item.type === 'select' && item.selected) setSelected({ kind: 'edge', index: Number(item.id.slice(1)) })
    }
  }, [])

  function onDelete({ nodes: goneNodes, edges: goneEdges }: { nodes: FlowNode[]; edges: FlowEdge[] }) {
    change((current) =>
      deleteNodes(
        deleteTransitions(
          current,
          goneEdges.map((edge) => edge.data?.index ?? Number(edge.id.slice(1)))
        ),
        goneNodes.map((node) => node.id)
      )
    )
    setSelected(null)
  }

  function onConnect(connection: Connection) {
    if (!connection.source || !connection.target) return
    const index = doc.transitions.length
    change((current) => connect(current, connection.source, connection.target))
    setSelected({ kind: 'edge', index })
  }

  // ---------------------------------------------------------------- palette
  function add(type: NodeType, at?: Point) {
    // From the keyboard (no drop point): below the selected step, or below the lowest one,
    // on a free spot; then bring it into view.
    const near = selected?.kind === 'node' ? selected.id : undefined
    const position = at ?? freeSpot(positions(doc), near)
    const result = addNode(doc, type.type, position, nodeTemplate(type.type, type.label))
    change(() => result.doc)
    setSelected({ kind: 'node', id: result.id })
    setAnnounce(t('workflow.added', { type: label(type.label, type.type), id: result.id }))
    if (!at) centrePending.current = position
  }

  function onDragOver(event: DragEvent<HTMLDivElement>) {
    if (!event.dataTransfer.types.includes(DRAG_TYPE)) return
    event.preventDefault()
    event.dataTransfer.dropEffect = 'copy'
  }
  function onDrop(event: DragEvent<HTMLDivElement>) {
    const name = event.dataTransfer.getData(DRAG_TYPE)
    const type = name ? typeMap.get(name) : undefined
    if (!type) return
    event.preventDefault()
    const point = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY })
    add(type, { x: point.x - NODE_HALF.x, y: point.y - NODE_HALF.y })
  }

  // ---------------------------------------------------------------- commands
  function relayout() {
    change((current) => withLayout(current, autoLayout(current.nodes, current.transitions)))
    fitPending.current = true
  }
  // Fit the view once the canvas has the new positions (after the nodes effect ran).
  const fitPending = useRef(false)
  // A step added from the keyboard outside the visible part of the canvas: once it is
  // drawn, fit the view to every step (so the new one shows without losing the others).
  const centrePending = useRef<Point | null>(null)
  useEffect(() => {
    const added = centrePending.current
    if (added) {
      centrePending.current = null
      const rect = canvas.current?.getBoundingClientRect()
      const topLeft = flow.flowToScreenPosition(added)
      const bottomRight = flow.flowToScreenPosition({ x: added.x + 2 * NODE_HALF.x, y: added.y + 2 * NODE_HALF.y })
      const visible =
        !rect ||
        (topLeft.x >= rect.left && topLeft.y >= rect.top && bottomRight.x <= rect.right && bottomRight.y <= rect.bottom)
      if (!visible) requestAnimationFrame(() => void flow.fitView({ maxZoom: 1, minZoom: 0.25, padding: 0.1 }))
    }
    if (!fitPending.current) return
    fitPending.current = false
    requestAnimationFrame(() => void flow.fitView({ maxZoom: 1, minZoom: 0.25, padding: 0.1 }))
  }, [nodes, flow])

  async function check() {
    setChecking(true)
    setError(undefined)
    try {
      const result = await api<{ findings: Finding[] }>('POST', `${appPath(appKey)}validate/`)
      setFindings(result.data.findings ?? [])
    } catch (reason) {
      setError(reason)
    } finally {
      setChecking(false)
    }
  }

  const savingRef = useRef(false)
  async function save() {
    if (savingRef.current) return
    savingRef.current = true
    setSaving(true)
    setError(undefined)
    const document = withLayout(doc, positions(doc))
    try {
      const result = await saveDefinition(appKey, 'workflow', definitionKey, document, revision)
      setRevision(result.revision)
      setDoc(document)
      setDirty(false)
      setSaved(true)
      setFindings(null)
    } catch (reason) {
      if (reason instanceof ApiError && reason.status === 400 && reason.findings.length) {
        setFindings(reason.findings)
      }
      setError(reason)
    } finally {
      savingRef.current = false
      setSaving(false)
    }
  }
  const onSaveKey = useEffectEvent(() => void save())
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
        event.preventDefault()
        onSaveKey()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  function reload() {
    if (dirty && !window.confirm(t('workflow.reload_confirm'))) return
    setDirty(false)
    onReload()
  }

  // ---------------------------------------------------------------- inspector
  const selectedNode = selected?.kind === 'node' ? doc.nodes.find((node) => node.id === selected.id) : undefined
  const selectedEdge = selected?.kind === 'edge' ? doc.transitions[selected.index] : undefined
  const refused = error instanceof ApiError && error.status === 400 && error.findings.length > 0
  const pinned = Object.values(grouped.byNode).reduce((sum, list) => sum + list.length, 0)

  let inspector
  if (selectedNode) {
    const node = selectedNode
    inspector = (
      <NodeInspector
        key={`node-${node.id}`}
        doc={doc}
        node={node}
        nodeType={typeMap.get(node.type)}
        findings={grouped.byNode[node.id] ?? []}
        fields={fields}
        agencies={agencies}
        roles={roles}
        typeLabel={typeLabel}
        onChange={(next: WorkflowNode) => change((current) => replaceNode(current, node.id, next))}
        onRename={(to) => {
          change((current) => renameNode(current, node.id, to))
          setSelected({ kind: 'node', id: to })
        }}
        onRenameAction={(next, from, to) =>
          change((current) => ({
            ...replaceNode(current, node.id, next),
            transitions: current.transitions.map((transition) =>
              transition.from === node.id && transition.action === from && from !== to
                ? { ...transition, action: to }
                : transition
            )
          }))
        }
        onConnectTo={(target) => {
          const index = doc.transitions.length
          change((current) => connect(current, node.id, target))
          setSelected({ kind: 'edge', index })
        }}
        onSelectEdge={(index) => setSelected({ kind: 'edge', index })}
        onDelete={() => {
          change((current) => deleteNodes(current, [node.id]))
          setSelected(null)
        }}
      />
    )
  } else if (selectedEdge && selected?.kind === 'edge') {
    const index = selected.index
    inspector = (
      <EdgeInspector
        key={`edge-${index}`}
        doc={doc}
        transition={selectedEdge}
        fields={fields}
        onChange={(next: Transition) => change((current) => replaceTransition(current, index, next))}
        onSelectNode={(id) => setSelected({ kind: 'node', id })}
        onDelete={() => {
          change((current) => deleteTransitions(current, [index]))
          setSelected(null)
        }}
      />
    )
  } else {
    inspector = (
      <section aria-labelledby="wf-inspector-title">
        <h2 id="wf-inspector-title">{t('workflow.inspector_workflow')}</h2>
        <p className="hint">{t('workflow.inspector_empty')}</p>
        <LabelInput
          label={t('workflow.workflow_label')}
          value={doc.label}
          required
          onChange={(value) => change((current) => ({ ...current, label: value }))}
        />
        <p>
          {t('workflow.entity')}: <code>{doc.entity}</code>
        </p>
        <h3>{t('workflow.steps')}</h3>
        <ul className="wf-step-list">
          {doc.nodes.map((node) => (
            <li key={node.id}>
              <button type="button" className="link" onClick={() => setSelected({ kind: 'node', id: node.id })}>
                {label(node.label, node.id)}
              </button>{' '}
              <code>{node.id}</code> · {typeLabel(node.type)}
              {grouped.byNode[node.id] && (
                <span className="wf-badge-inline">{grouped.byNode[node.id].length}</span>
              )}
            </li>
          ))}
        </ul>
      </section>
    )
  }

  return (
    <main id="main" className="page wide wf-page">
      <div className="wf-head">
        <p className="breadcrumbs">
          <Link to="/">{t('shell.apps')}</Link> / <Link to={`/apps/${encodeURIComponent(appKey)}`}>{appKey}</Link>
        </p>
        <h1>
          {label(doc.label, doc.key)} <code className="wf-key">{doc.key}</code>
        </h1>
        <div className="toolbar" role="toolbar" aria-label={t('workflow.toolbar')}>
          <button type="button" className="primary" onClick={() => void save()} disabled={saving} aria-keyshortcuts="Control+S">
            <SteadyLabel busy={saving} idle={t('common.save')} working={t('common.saving')} />
          </button>
          <button type="button" onClick={() => void check()} disabled={checking}>
            <SteadyLabel busy={checking} idle={t('workflow.check')} working={t('workflow.checking')} />
          </button>
          <button type="button" onClick={relayout}>
            {t('workflow.auto_layout')}
          </button>
          <span className="spacer" />
          <span role="status" className={dirty ? 'status-dirty' : 'status-saved'}>
            {dirty ? t('common.unsaved') : saved ? t('common.saved') : ''}
          </span>
        </div>
        <p className="visually-hidden" role="status" aria-live="polite">
          {announce}
        </p>
        {typesMissing && (
          <p className="notice wf-warn" role="note">
            {t('workflow.types_missing')}
          </p>
        )}
        {error !== undefined && !refused && (
          <ErrorMessage error={error} onReload={reload} onRetry={() => setError(undefined)} />
        )}
        {refused && (
          <div className="error" role="alert">
            <strong>{t('workflow.save_refused', { n: error.findings.length })}</strong>
          </div>
        )}
        {findings !== null && (
          <div className="wf-findings" aria-live="polite">
            {findings.length === 0 ? (
              <p className="notice">{t('workflow.no_findings')}</p>
            ) : (
              <>
                {pinned > 0 && <p>{t('workflow.pinned_findings', { n: pinned })}</p>}
                {grouped.other.length > 0 && <FindingList findings={grouped.other} />}
              </>
            )}
            {dirty && <p className="hint">{t('workflow.check_saved_only')}</p>}
          </div>
        )}
      </div>
      <div className="wf-body">
        <aside className="wf-side wf-left">
          <Palette types={types} onAdd={(type) => add(type)} />
        </aside>
        <div
          ref={canvas}
          className="wf-canvas"
          data-testid="workflow-canvas"
          role="region"
          aria-label={t('workflow.canvas')}
        >
          <ReactFlow<FlowNode, FlowEdge>
            nodes={nodes}
            edges={edges}
            nodeTypes={NODE_TYPES}
            edgeTypes={EDGE_TYPES}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onDelete={onDelete}
            onPaneClick={() => setSelected(null)}
            onDragOver={onDragOver}
            onDrop={onDrop}
            deleteKeyCode={['Delete', 'Backspace']}
            fitView
            fitViewOptions={focus ? { nodes: [{ id: focus }], maxZoom: 1, minZoom: 0.25 } : { maxZoom: 1, minZoom: 0.25 }}
            minZoom={0.2}
            proOptions={{ hideAttribution: true }}
            ariaLabelConfig={flowAriaLabels()}
          >
            <Background />
            <Controls />
          </ReactFlow>
        </div>
        <aside className="wf-side wf-right" aria-label={t('workflow.inspector')}>
          {inspector}
        </aside>
      </div>
    </main>
  )
}

/** React Flow's screen-reader texts in the current language. */
function flowAriaLabels(): Partial<AriaLabelConfig> {
  return {
    'node.a11yDescription.default': t('workflow.flow.node_help'),
    'node.a11yDescription.keyboardDisabled': t('workflow.flow.node_help_keyboard'),
    'node.a11yDescription.ariaLiveMessage': ({ direction, x, y }) =>
      t('workflow.flow.node_moved', {
        direction: ['up', 'down', 'left', 'right'].includes(direction) ? t(`workflow.flow.dir_${direction}`) : direction,
        x: Math.round(x),
        y: Math.round(y)
      }),
    'edge.a11yDescription.default': t('workflow.flow.edge_help'),
    'controls.ariaLabel': t('workflow.flow.controls'),
    'controls.zoomIn.ariaLabel': t('workflow.flow.zoom_in'),
    'controls.zoomOut.ariaLabel': t('workflow.flow.zoom_out'),
    'controls.fitView.ariaLabel': t('workflow.flow.fit_view'),
    'controls.interactive.ariaLabel': t('workflow.flow.interactive'),
    'minimap.ariaLabel': t('workflow.flow.minimap'),
    'handle.ariaLabel': t('workflow.flow.handle')
  }
}

/** The step `wanted` names (an id, or a position in the list of steps), if it exists. */
export function focusNode(doc: WorkflowDoc, wanted: string | null): string | undefined {
  if (!wanted) return undefined
  if (doc.nodes.some((node) => node.id === wanted)) return wanted
  if (/^\d+$/.test(wanted)) return doc.nodes[Number(wanted)]?.id
  return undefined
}

/** The text on a way out: its action's label, "default", "timeout" or the rule in short. */
export function transitionLabel(doc: WorkflowDoc, transition: Transition): string {
  if (transition.timeout) return t('workflow.edge_timeout')
  if (transition.default) return t('workflow.edge_default')
  if (transition.action) {
    const source = doc.nodes.find((node) => node.id === transition.from)
    const actions = Array.isArray(source?.actions) ? (source.actions as { key: string; label: unknown }[]) : []
    const action = actions.find((item) => item.key === transition.action)
    return label(action?.label, transition.action)
  }
  if (transition.condition !== undefined) return ruleSummary(transition.condition)
  return ''
}
