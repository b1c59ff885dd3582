/**
 * Positions for the HTML report, computed once at export time so the browser only draws:
 * ForceAtlas2 (graphology-layout-forceatlas2) from starting points hashed from the node names.
 * No randomness and no clock, so the same graph always gets the same picture (and the same
 * bytes): the hash replaces the random start a force layout usually takes.
 */
import { UndirectedGraph } from 'graphology';
import forceAtlas2Module from 'graphology-layout-forceatlas2';

/**
 * The package is CommonJS (`module.exports = layout`), so Node's default import is the layout
 * function itself, while its typings declare it as an ES `default` export.
 */
const forceAtlas2 = forceAtlas2Module as unknown as typeof forceAtlas2Module.default;

export interface LayoutEdge {
  readonly from: string;
  readonly to: string;
  /** Heavier edges pull their ends closer (calls, log-scaled by the caller if wanted). */
  readonly weight: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Iterations: small graphs settle quickly, large ones get fewer (each costs more). */
function iterationsFor(order: number): number {
  if (order <= 100) return 600;
  if (order <= 1000) return 300;
  return 150;
}

/** Positions of `nodes` (ids), rounded to 2 decimals, in a square of about 1000 units across. */
export function layoutGraph(nodes: readonly string[], edges: readonly LayoutEdge[]): Map<string, Point> {
  const graph = new UndirectedGraph();
  nodes.forEach((id, i) => {
    const start = startingPoint(id, i, nodes.length);
    graph.addNode(id, start);
  });
  for (const edge of edges) {
    if (edge.from === edge.to || !graph.hasNode(edge.from) || !graph.hasNode(edge.to)) continue;
    const key = graph.edge(edge.from, edge.to);
    if (key === undefined) graph.addEdge(edge.from, edge.to, { weight: edge.weight });
    else graph.updateEdgeAttribute(key, 'weight', (w: number | undefined) => (w ?? 0) + edge.weight);
  }
  if (graph.order > 1) {
    const settings = { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 300, adjustSizes: false };
    forceAtlas2.assign(graph, { iterations: iterationsFor(graph.order), settings, getEdgeWeight: 'weight' });
  }
  return normalize(graph);
}

/**
 * A start on a spiral, the turn of each node chosen by a hash of its name: spread out, so the
 * layout does not have to untangle a pile, and independent of the order nodes arrive in.
 */
function startingPoint(id: string, index: number, count: number): Point {
  const h = fnv1a(id);
  const angle = ((h % 3600) / 3600) * 2 * Math.PI;
  const radius = 10 * Math.sqrt(count) * (0.2 + ((h >>> 12) % 1000) / 1250) + (index % 2);
  return { x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
}

/** 32-bit FNV-1a over the UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Centred and scaled to about 1000 units across; 2 decimals keep the embedded JSON small. */
function normalize(graph: UndirectedGraph): Map<string, Point> {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  graph.forEachNode((_id, a) => {
    minX = Math.min(minX, a.x as number);
    maxX = Math.max(maxX, a.x as number);
    minY = Math.min(minY, a.y as number);
    maxY = Math.max(maxY, a.y as number);
  });
  const span = Math.max(maxX - minX, maxY - minY) || 1;
  const scale = 1000 / span;
  const round = (n: number) => Math.round(n * 100) / 100;
  const positions = new Map<string, Point>();
  graph.forEachNode((id, a) => {
    positions.set(id, { x: round(((a.x as number) - (minX + maxX) / 2) * scale), y: round(((a.y as number) - (minY + maxY) / 2) * scale) });
  });
  return positions;
}
