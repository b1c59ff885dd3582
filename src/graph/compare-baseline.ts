/**
 * The nightly comparison: edges not in the accepted baseline (new), baseline edges unseen for
 * the stale period counted back from the newest span in the store (gone), and baseline edges
 * whose impact got stricter, e.g. reads that became writes (impact changes).
 */
import type { BaselineEdge, EdgeView, GraphView, Impact, ImpactChange, NewEdgeView } from '../model.js';
import { compareText } from './graph-view.js';

/** independent < coordinated < data-migration: what a rollback costs. */
export const IMPACT_RANK: Readonly<Record<Impact, number>> = { independent: 0, coordinated: 1, 'data-migration': 2 };

export interface BaselineComparison {
  readonly newEdges: NewEdgeView[];
  readonly goneEdges: EdgeView[];
  readonly impactChanges: ImpactChange[];
}

const keyOf = (e: { from: string; to: string; type: string }) => `${e.from}\u0000${e.to}\u0000${e.type}`;

export function compareWithBaseline(view: GraphView, baseline: readonly BaselineEdge[], newestMs: number | null, staleMs: number): BaselineComparison {
  const accepted = new Map(baseline.map((b) => [keyOf(b), b]));
  const current = new Map(view.edges.map((e) => [keyOf(e), e]));
  const versionsOf = new Map(view.nodes.map((n) => [n.id, n.versions]));
  const newEdges: NewEdgeView[] = [];
  const impactChanges: ImpactChange[] = [];
  for (const edge of view.edges) {
    const known = accepted.get(keyOf(edge));
    if (known === undefined) {
      newEdges.push({ ...edge, introducedBy: introducedBy(edge, versionsOf.get(edge.from) ?? []) });
    } else if (edge.impact !== undefined && IMPACT_RANK[edge.impact] > IMPACT_RANK[known.impact]) {
      impactChanges.push({ from: edge.from, to: edge.to, type: edge.type, was: known.impact, now: edge.impact, reason: edge.reason ?? '' });
    }
  }
  const goneEdges: EdgeView[] = [];
  const staleBefore = newestMs === null ? null : newestMs - staleMs;
  for (const b of baseline) {
    const edge = current.get(keyOf(b));
    if (edge === undefined) {
      goneEdges.push(unseenEdge(b));
      continue;
    }
    const last = edge.lastSeen === null ? null : Date.parse(edge.lastSeen);
    if (staleBefore !== null && last !== null && last < staleBefore) goneEdges.push(edge);
  }
  goneEdges.sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to) || compareText(a.type, b.type));
  return { newEdges, goneEdges, impactChanges };
}

/** The caller's earliest version seen making the call: the version that introduced the edge. */
function introducedBy(edge: EdgeView, callerVersions: readonly string[]): string | null {
  return callerVersions.find((v) => edge.callerVersions.includes(v)) ?? edge.callerVersions[0] ?? null;
}

/** A baseline edge with no call left in the history read (e.g. outside `--since`). */
function unseenEdge(b: BaselineEdge): EdgeView {
  return {
    from: b.from,
    to: b.to,
    type: b.type,
    impact: b.impact,
    confidence: 'observed',
    reason: `accepted ${b.acceptedAt}${b.note === null ? '' : ` (${b.note})`}; no call in the history`,
    calls: 0,
    errors: 0,
    operations: [],
    via: null,
    firstSeen: null,
    lastSeen: null,
    sampleTraceIds: [],
    callerVersions: [],
    calleeVersions: [],
    environments: [],
  };
}
