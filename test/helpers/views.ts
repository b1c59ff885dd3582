/**
 * Edge views built inline for the reporters' tests: counts and version sets worked out from the
 * operations, the rest from defaults a sample file may change.
 */
import type { Confidence, EdgeView, Impact, OperationView } from '../../src/model.js';

export interface EdgeSpec {
  readonly type?: EdgeView['type'];
  readonly via?: string;
  readonly errors?: number;
  /** Left out to stand for an edge the tagger did not reach. */
  readonly tag?: readonly [Impact, Confidence, string];
  /** [name, calls, calleeVersions, callerVersions], most called first. */
  readonly operations?: readonly (readonly [string, number, (readonly string[])?, (readonly string[])?])[];
  readonly firstSeen?: string | null;
  readonly lastSeen?: string | null;
  readonly sampleTraceIds?: readonly string[];
}

export interface EdgeDefaults {
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly sampleTraceIds: readonly string[];
}

export const EDGE_DEFAULTS: EdgeDefaults = {
  firstSeen: '2025-03-03T01:12:09.000Z',
  lastSeen: '2025-03-03T01:58:41.000Z',
  sampleTraceIds: ['4bf92f3577b34da6a3ce929d0e0e4736'],
};

export function edgeView(from: string, to: string, spec: EdgeSpec, defaults: EdgeDefaults = EDGE_DEFAULTS): EdgeView {
  const operations: OperationView[] = (spec.operations ?? []).map(([name, calls, calleeVersions = [], callerVersions = []]) => ({
    name,
    calls,
    calleeVersions,
    callerVersions,
  }));
  const base: EdgeView = {
    from,
    to,
    type: spec.type ?? 'sync',
    calls: operations.reduce((sum, operation) => sum + operation.calls, 0),
    errors: spec.errors ?? 0,
    operations,
    via: spec.via ?? null,
    callerVersions: [...new Set(operations.flatMap((operation) => operation.callerVersions))].sort(),
    calleeVersions: [...new Set(operations.flatMap((operation) => operation.calleeVersions))].sort(),
    environments: ['production'],
    firstSeen: spec.firstSeen === undefined ? defaults.firstSeen : spec.firstSeen,
    lastSeen: spec.lastSeen === undefined ? defaults.lastSeen : spec.lastSeen,
    sampleTraceIds: spec.sampleTraceIds ?? defaults.sampleTraceIds,
  };
  if (spec.tag === undefined) return base;
  const [impact, confidence, reason] = spec.tag;
  return { ...base, impact, confidence, reason };
}
