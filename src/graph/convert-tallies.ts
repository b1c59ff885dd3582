/**
 * Between the in-memory records the graph is built from and the plain tallies the store keeps:
 * an edge's calls of one day, and what a service's spans showed. Merging the tallies of many
 * days (and runs) gives the same records as deriving from all their inputs at once.
 */
import type { CallTally, ServiceTally } from '../model.js';
import type { ServiceFacts } from '../derive/trace-window.js';
import { type EdgeRecord, createEdgeRecord, edgeKey, mergeEdgeRecord } from './edge-accumulator.js';

export function toCallTally(record: EdgeRecord, day: string): CallTally {
  return {
    from: record.from,
    fromKind: record.fromKind,
    to: record.to,
    toKind: record.toKind,
    type: record.type,
    day,
    calls: record.calls,
    errors: record.errors,
    firstMs: record.firstMs,
    lastMs: record.lastMs,
    operations: [...record.operations].map(([name, op]) => ({
      name,
      calls: op.calls,
      calleeVersions: [...op.calleeVersions],
      callerVersions: [...op.callerVersions],
    })),
    vias: [...record.vias].map(([via, calls]) => ({ via, calls })),
    environments: [...record.environments],
    samples: record.samples.map((s) => ({ traceId: s.traceId, timeMs: s.timeMs })),
  };
}

/** Edge records from tallies, merged per edge (from, to, type) across days. */
export function toEdgeRecords(tallies: Iterable<CallTally>): Map<string, EdgeRecord> {
  const records = new Map<string, EdgeRecord>();
  for (const tally of tallies) {
    const key = edgeKey(tally.from, tally.to, tally.type);
    const record = records.get(key);
    const one = createEdgeRecord(tally.from, tally.fromKind, tally.to, tally.toKind, tally.type);
    one.calls = tally.calls;
    one.errors = tally.errors;
    one.firstMs = tally.firstMs;
    one.lastMs = tally.lastMs;
    for (const op of tally.operations) {
      one.operations.set(op.name, { calls: op.calls, calleeVersions: new Set(op.calleeVersions), callerVersions: new Set(op.callerVersions) });
      for (const v of op.calleeVersions) one.calleeVersions.add(v);
      for (const v of op.callerVersions) one.callerVersions.add(v);
    }
    for (const { via, calls } of tally.vias) one.vias.set(via, calls);
    for (const env of tally.environments) one.environments.add(env);
    one.samples = tally.samples.map((s) => ({ traceId: s.traceId, timeMs: s.timeMs }));
    if (record === undefined) records.set(key, one);
    else mergeEdgeRecord(record, one);
  }
  return records;
}

export function toServiceTally(name: string, facts: ServiceFacts): ServiceTally {
  return {
    name,
    spans: facts.spans,
    entrypoint: facts.entrypoint,
    versions: [...facts.versions].map(([version, seen]) => ({ version, firstMs: seen.firstMs, lastMs: seen.lastMs })),
    environments: [...facts.environments],
    firstMs: facts.firstMs,
    lastMs: facts.lastMs,
  };
}

export function toServiceFacts(tallies: Iterable<ServiceTally>): Map<string, ServiceFacts> {
  const services = new Map<string, ServiceFacts>();
  for (const t of tallies) {
    services.set(t.name, {
      versions: new Map(t.versions.map((v) => [v.version, { firstMs: v.firstMs, lastMs: v.lastMs }])),
      environments: new Set(t.environments),
      entrypoint: t.entrypoint,
      spans: t.spans,
      firstMs: t.firstMs,
      lastMs: t.lastMs,
    });
  }
  return services;
}
