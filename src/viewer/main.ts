/**
 * The browser side of `rollgraph export --format html`: reads the graph embedded in the page
 * (positions already laid out at export time), draws it with sigma (WebGL), and wires the
 * search box, the environment and impact filters, and the side panel. Bundled at build time by
 * scripts/build-html-viewer.mjs into one inline script: the page loads nothing from anywhere.
 */
import { MultiDirectedGraph } from 'graphology';
import Sigma from 'sigma';
import type { Impact } from '../model.js';
import type { ReportData, ReportEdge } from '../report/html-report-data.js';
import { FADED_EDGE_COLOR, FADED_NODE_COLOR, IMPACT_COLORS, KIND_COLORS, KIND_NOUNS, PLAIN_EDGE_COLOR, REVERT_SET_COLOR } from './colors.js';
import { byId, el } from './dom.js';
import { renderPanel } from './panel.js';
import { planFor, toPlanGraph } from './plan-graph.js';

/** Canvas labels show at most this many characters; the panel shows the whole name. */
const MAX_LABEL_LENGTH = 48;
const IMPACTS: readonly Impact[] = ['independent', 'coordinated', 'data-migration'];
const UNTAGGED = 'untagged';

interface State {
  selected: number | null;
  /** Nodes drawn in colour while a node is selected: it, its neighbours, its revert set. */
  focus: Set<number> | null;
  revertSet: Set<number>;
  environment: number | null;
  impacts: Set<string>;
  newOnly: boolean;
}

function start(): void {
  const data = JSON.parse(byId('rollgraph-data').textContent ?? '{}') as ReportData;
  const indexOf = new Map(data.nodes.map((n, i) => [n.id, i]));
  const outEdges = groupEdges(data.edges, (e) => e.from);
  const inEdges = groupEdges(data.edges, (e) => e.to);
  const edgeIndex = new Map(data.edges.map((e, i) => [e, i]));
  const planGraph = toPlanGraph(data);
  const state: State = { selected: null, focus: null, revertSet: new Set(), environment: null, impacts: new Set([...IMPACTS, UNTAGGED]), newOnly: false };

  const graph = new MultiDirectedGraph();
  data.nodes.forEach((node, i) => {
    graph.addNode(String(i), {
      x: node.x,
      y: -node.y,
      size: node.entrypoint ? 9 : node.kind === 'service' ? 6 : 4.5,
      color: KIND_COLORS[node.kind],
      label: truncate(node.id),
    });
  });
  data.edges.forEach((edge, i) => {
    graph.addDirectedEdgeWithKey(String(i), String(edge.from), String(edge.to), {
      size: edge.isNew ? 4 : edge.impact === 'data-migration' ? 2 : edge.impact === 'coordinated' ? 1.6 : 1,
      color: edge.impact === undefined ? PLAIN_EDGE_COLOR : IMPACT_COLORS[edge.impact],
      type: 'arrow',
    });
  });

  byId('summary').textContent = summary(data);
  const edgeShown = (i: number): boolean => {
    const edge = data.edges[i]!;
    if (!state.impacts.has(edge.impact ?? UNTAGGED)) return false;
    if (state.newOnly && !edge.isNew) return false;
    return state.environment === null || edge.environments.includes(state.environment);
  };
  const filtering = (): boolean => state.environment !== null || state.newOnly || state.impacts.size < IMPACTS.length + 1;
  const nodeShown = (i: number): boolean => {
    if (i === state.selected || !filtering()) return true;
    if (state.environment !== null && data.nodes[i]!.environments.includes(state.environment)) return true;
    const touches = (edges: readonly ReportEdge[] | undefined) => (edges ?? []).some((e) => edgeShown(edgeIndex.get(e)!));
    return touches(outEdges.get(i)) || touches(inEdges.get(i));
  };

  let shownNodes = new Set<number>();
  const recompute = () => {
    shownNodes = new Set(data.nodes.map((_n, i) => i).filter(nodeShown));
  };
  recompute();

  const container = byId('graph');
  let renderer: Sigma | null = null;
  if (data.nodes.length === 0) {
    container.append(el('p', 'message', 'No calls found: the traces held no call between services.'));
  } else {
    try {
      renderer = new Sigma(graph, container, {
        defaultEdgeType: 'arrow',
        labelRenderedSizeThreshold: 5,
        labelFont: 'system-ui, sans-serif',
        zIndex: true,
        nodeReducer: (key, attributes) => {
          const i = Number(key);
          if (!shownNodes.has(i)) return { ...attributes, hidden: true };
          if (state.focus === null) return attributes;
          if (i === state.selected) return { ...attributes, highlighted: true, forceLabel: true, zIndex: 3, size: (attributes.size as number) * 1.4 };
          if (state.revertSet.has(i)) return { ...attributes, color: REVERT_SET_COLOR, forceLabel: true, zIndex: 2 };
          if (state.focus.has(i)) return { ...attributes, forceLabel: true, zIndex: 1 };
          return { ...attributes, color: FADED_NODE_COLOR, label: '', zIndex: 0 };
        },
        edgeReducer: (key, attributes) => {
          const i = Number(key);
          const edge = data.edges[i]!;
          if (!edgeShown(i) || !shownNodes.has(edge.from) || !shownNodes.has(edge.to)) return { ...attributes, hidden: true };
          if (state.selected === null || edge.from === state.selected || edge.to === state.selected) return { ...attributes, zIndex: 1 };
          return { ...attributes, color: FADED_EDGE_COLOR, zIndex: 0 };
        },
      });
    } catch (error) {
      container.append(el('p', 'message', `This browser cannot draw the graph (WebGL: ${(error as Error).message}). Search and the panel still work.`));
    }
  }

  const panel = byId('panel');
  const search = byId<HTMLInputElement>('search');
  const select = (name: string): void => {
    const i = indexOf.get(name);
    // Typing a whole name selects it; the Enter that often follows must not redo the work.
    if (i === undefined || (i === state.selected && !panel.hidden)) return;
    const node = data.nodes[i]!;
    state.selected = i;
    const plan = node.kind === 'service' ? planFor(planGraph, node.id) : undefined;
    const revertNames = plan?.revertSet ?? node.rollback?.mustRevertWith ?? [];
    state.revertSet = new Set(revertNames.map((n) => indexOf.get(n)).filter((n): n is number => n !== undefined && n !== i));
    state.focus = new Set([i, ...state.revertSet]);
    for (const e of outEdges.get(i) ?? []) state.focus.add(e.to);
    for (const e of inEdges.get(i) ?? []) state.focus.add(e.from);
    search.value = name;
    recompute();
    renderPanel(panel, i, plan, { data, outEdges, inEdges, select, close: clear });
    if (renderer !== null) {
      renderer.refresh();
      const display = renderer.getNodeDisplayData(String(i));
      if (display !== undefined) void renderer.getCamera().animate({ x: display.x, y: display.y, ratio: data.nodes.length > 200 ? 0.15 : 0.6 }, { duration: 300 });
    }
  };
  const clear = (): void => {
    state.selected = null;
    state.focus = null;
    state.revertSet = new Set();
    panel.hidden = true;
    recompute();
    renderer?.refresh();
  };

  renderer?.on('clickNode', ({ node }) => select(data.nodes[Number(node)]!.id));
  renderer?.on('clickStage', clear);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') clear();
  });

  wireSearch(search, data, indexOf, select);
  wireFilters(data, state, () => {
    recompute();
    renderer?.refresh();
  });
  renderLegend(data);
}

function wireSearch(search: HTMLInputElement, data: ReportData, indexOf: ReadonlyMap<string, number>, select: (name: string) => void): void {
  const names = byId('names');
  for (const node of data.nodes) {
    const option = document.createElement('option');
    option.value = node.id;
    names.append(option);
  }
  const find = (text: string): string | undefined => {
    if (indexOf.has(text)) return text;
    const wanted = text.trim().toLowerCase();
    if (wanted === '') return undefined;
    const matches = data.nodes.filter((n) => n.id.toLowerCase().includes(wanted));
    return (matches.find((n) => n.id.toLowerCase() === wanted) ?? matches.find((n) => n.id.toLowerCase().startsWith(wanted)) ?? matches[0])?.id;
  };
  const status = byId('search-status');
  search.addEventListener('input', () => {
    status.textContent = '';
    // Picking a name from the list (or typing one exactly) selects it at once.
    if (indexOf.has(search.value)) select(search.value);
  });
  search.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    const found = find(search.value);
    if (found === undefined) status.textContent = 'no such node';
    else select(found);
  });
}

function wireFilters(data: ReportData, state: State, changed: () => void): void {
  const environment = byId<HTMLSelectElement>('environment');
  data.environments.forEach((name, i) => {
    const option = document.createElement('option');
    option.value = String(i);
    option.textContent = name;
    environment.append(option);
  });
  environment.disabled = data.environments.length === 0;
  environment.addEventListener('change', () => {
    state.environment = environment.value === '' ? null : Number(environment.value);
    changed();
  });

  const impacts = byId('impacts');
  const present = new Set<string>(data.edges.map((e) => e.impact ?? UNTAGGED));
  for (const impact of [...IMPACTS, UNTAGGED]) {
    if (!present.has(impact)) continue;
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = true;
    box.value = impact;
    box.addEventListener('change', () => {
      if (box.checked) state.impacts.add(impact);
      else state.impacts.delete(impact);
      changed();
    });
    const swatch = el('span', 'swatch');
    swatch.style.background = impact === UNTAGGED ? PLAIN_EDGE_COLOR : IMPACT_COLORS[impact as Impact];
    impacts.append(el('label', 'impact', box, swatch, impact));
  }
  if (data.newEdgeCount > 0) {
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.id = 'new-only';
    box.addEventListener('change', () => {
      state.newOnly = box.checked;
      changed();
    });
    impacts.append(el('label', 'impact', box, `only new edges (${data.newEdgeCount})`));
  }
}

function renderLegend(data: ReportData): void {
  const legend = byId('legend');
  const kinds = new Set(data.nodes.map((n) => n.kind));
  for (const kind of ['service', 'database', 'queue', 'external'] as const) {
    if (!kinds.has(kind)) continue;
    const dot = el('span', 'dot');
    dot.style.background = KIND_COLORS[kind];
    legend.append(el('span', 'legend-item', dot, KIND_NOUNS[kind]));
  }
  legend.append(el('span', 'legend-item', el('span', 'dot big'), 'larger: entry point'));
  if (data.newEdgeCount > 0) legend.append(el('span', 'legend-item', el('span', 'line thick'), 'thick: new since the baseline'));
  const ring = el('span', 'dot');
  ring.style.background = REVERT_SET_COLOR;
  legend.append(el('span', 'legend-item', ring, 'must revert with the selected service'));
}

function groupEdges(edges: readonly ReportEdge[], by: (e: ReportEdge) => number): Map<number, ReportEdge[]> {
  const groups = new Map<number, ReportEdge[]>();
  for (const edge of edges) {
    const key = by(edge);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [edge]);
    else list.push(edge);
  }
  return groups;
}

function summary(data: ReportData): string {
  const services = data.nodes.filter((n) => n.kind === 'service').length;
  const others = data.nodes.length - services;
  return `${services} service${services === 1 ? '' : 's'}, ${others} other node${others === 1 ? '' : 's'}, ${data.edges.length} edge${data.edges.length === 1 ? '' : 's'}`;
}

function truncate(name: string): string {
  const chars = [...name.replace(/\s+/g, ' ')];
  return chars.length <= MAX_LABEL_LENGTH ? chars.join('') : `${chars.slice(0, MAX_LABEL_LENGTH - 1).join('')}\u2026`;
}

start();
