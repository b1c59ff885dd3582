/**
 * Folds calls into edges as they are derived, so memory grows with the graph, not with the
 * number of calls. One record per (from, to, type); CONTRACT §2 lists what an edge keeps.
 */
import type { Call, CallType, NodeKind } from '../model.js';

export const MAX_SAMPLE_TRACES = 3;

export interface OperationTally {
  calls: number;
  readonly calleeVersions: Set<string>;
  readonly callerVersions: Set<string>;
}

export interface EdgeRecord {
  readonly from: string;
  readonly fromKind: NodeKind;
  readonly to: string;
  readonly toKind: NodeKind;
  readonly type: CallType;
  calls: number;
  errors: number;
  readonly operations: Map<string, OperationTally>;
  readonly vias: Map<string, number>;
  readonly callerVersions: Set<string>;
  readonly calleeVersions: Set<string>;
  readonly environments: Set<string>;
  firstMs: number | null;
  lastMs: number | null;
  /** The earliest calls' traces, at most MAX_SAMPLE_TRACES, earliest first. */
  samples: { readonly timeMs: number | null; readonly traceId: string }[];
}

export function edgeKey(from: string, to: string, type: CallType): string {
  return `${from}\u0000${to}\u0000${type}`;
}

export function createEdgeRecord(from: string, fromKind: NodeKind, to: string, toKind: NodeKind, type: CallType): EdgeRecord {
  return {
    from,
    fromKind,
    to,
    toKind,
    type,
    calls: 0,
    errors: 0,
    operations: new Map(),
    vias: new Map(),
    callerVersions: new Set(),
    calleeVersions: new Set(),
    environments: new Set(),
    firstMs: null,
    lastMs: null,
    samples: [],
  };
}

/** The UTC day (`YYYY-MM-DD`) of a span time, '' when unknown: the store's unit of history. */
export function dayOf(ms: number | null): string {
  return ms === null ? '' : new Date(Math.floor(ms)).toISOString().slice(0, 10);
}

export class EdgeAccumulator {
  /** Records by edge key, or by edge key and day when the accumulator splits by day. */
  readonly edges = new Map<string, EdgeRecord>();
  /** The day of each record when split by day. */
  readonly days = new Map<EdgeRecord, string>();

  /** `byDay`: one record per edge and UTC day of span time, as the store keeps history. */
  constructor(private readonly byDay = false) {}

  add(call: Call): void {
    const day = this.byDay ? dayOf(call.timeMs) : '';
    const key = this.byDay ? `${edgeKey(call.from, call.to, call.type)}\u0000${day}` : edgeKey(call.from, call.to, call.type);
    let edge = this.edges.get(key);
    if (edge === undefined) {
      edge = createEdgeRecord(call.from, call.fromKind, call.to, call.toKind, call.type);
      this.edges.set(key, edge);
      if (this.byDay) this.days.set(edge, day);
    }
    edge.calls++;
    if (call.isError) edge.errors++;
    let op = edge.operations.get(call.operation);
    if (op === undefined) {
      op = { calls: 0, calleeVersions: new Set(), callerVersions: new Set() };
      edge.operations.set(call.operation, op);
    }
    op.calls++;
    if (call.callerVersion !== null) op.callerVersions.add(call.callerVersion);
    if (call.calleeVersion !== null) {
      op.calleeVersions.add(call.calleeVersion);
      edge.calleeVersions.add(call.calleeVersion);
    }
    if (call.callerVersion !== null) edge.callerVersions.add(call.callerVersion);
    if (call.via !== null) edge.vias.set(call.via, (edge.vias.get(call.via) ?? 0) + 1);
    for (const env of call.environments) edge.environments.add(env);
    const t = call.timeMs;
    if (t !== null) {
      if (edge.firstMs === null || t < edge.firstMs) edge.firstMs = t;
      if (edge.lastMs === null || t > edge.lastMs) edge.lastMs = t;
    }
    addSample(edge, t, call.traceId);
  }
}

/** Merges `source` into `target` (same from, to and type after name resolution). */
export function mergeEdgeRecord(target: EdgeRecord, source: EdgeRecord): void {
  target.calls += source.calls;
  target.errors += source.errors;
  for (const [name, op] of source.operations) {
    const into = target.operations.get(name);
    if (into === undefined) {
      target.operations.set(name, { calls: op.calls, calleeVersions: new Set(op.calleeVersions), callerVersions: new Set(op.callerVersions) });
    } else {
      into.calls += op.calls;
      for (const v of op.calleeVersions) into.calleeVersions.add(v);
      for (const v of op.callerVersions) into.callerVersions.add(v);
    }
  }
  for (const [via, n] of source.vias) target.vias.set(via, (target.vias.get(via) ?? 0) + n);
  for (const v of source.callerVersions) target.callerVersions.add(v);
  for (const v of source.calleeVersions) target.calleeVersions.add(v);
  for (const e of source.environments) target.environments.add(e);
  if (source.firstMs !== null && (target.firstMs === null || source.firstMs < target.firstMs)) target.firstMs = source.firstMs;
  if (source.lastMs !== null && (target.lastMs === null || source.lastMs > target.lastMs)) target.lastMs = source.lastMs;
  for (const s of source.samples) addSample(target, s.timeMs, s.traceId);
}

function compareSamples(a: { timeMs: number | null; traceId: string }, b: { timeMs: number | null; traceId: string }): number {
  const ta = a.timeMs ?? Infinity;
  const tb = b.timeMs ?? Infinity;
  return ta !== tb ? ta - tb : a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0;
}

function addSample(edge: EdgeRecord, timeMs: number | null, traceId: string): void {
  const samples = edge.samples;
  const candidate = { timeMs, traceId };
  const existing = samples.findIndex((s) => s.traceId === traceId);
  if (existing >= 0) {
    if (compareSamples(candidate, samples[existing]!) >= 0) return;
    samples.splice(existing, 1);
  } else if (samples.length >= MAX_SAMPLE_TRACES && compareSamples(candidate, samples[samples.length - 1]!) >= 0) {
    return;
  }
  samples.push(candidate);
  samples.sort(compareSamples);
  if (samples.length > MAX_SAMPLE_TRACES) samples.length = MAX_SAMPLE_TRACES;
}
