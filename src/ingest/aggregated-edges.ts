/**
 * Edges that arrive already counted (a service-graph metric, a dependencies API) rather than as
 * spans: they become the same per-edge-per-day tallies the store keeps for derived calls, with
 * counts but no operations, no samples and no span times, only the window they were counted in.
 * Summing several series of one edge happens here, and the counts are rounded once, at the end.
 */
import { InputError } from '../errors.js';
import type { CallTally, CallType, NodeKind, ServiceTally } from '../model.js';

/** The time range the counts cover, in Unix milliseconds. */
export interface AggregationWindow {
  readonly startMs: number;
  readonly endMs: number;
}

/** What one aggregated source gave: the calls by edge, and the services (with versions) it named. */
export interface AggregatedEdges {
  readonly calls: readonly CallTally[];
  readonly services: readonly ServiceTally[];
  /** Counts left out, with why (e.g. calls to a node the source could not name). */
  readonly warnings: readonly string[];
}

/** A value of the source was not what its format promises: names the source and the field. */
export function fieldError(source: string, field: string, problem: string): InputError {
  return new InputError(`${source}: ${field}: ${problem}`);
}

interface EdgeCounts {
  from: string;
  fromKind: NodeKind;
  to: string;
  toKind: NodeKind;
  type: CallType;
  calls: number;
  errors: number;
  vias: Map<string, number>;
}

interface ServiceSeen {
  entrypoint: boolean;
  versions: Map<string, number | null>;
}

/** Collects counted calls by edge and what they say about services, then turns them into tallies. */
export class AggregatedEdgeBuilder {
  private readonly edges = new Map<string, EdgeCounts>();
  private readonly services = new Map<string, ServiceSeen>();
  private readonly warnings: string[] = [];

  constructor(private readonly window: AggregationWindow) {}

  addCalls(edge: { from: string; fromKind: NodeKind; to: string; toKind: NodeKind; type: CallType; via?: string | null }, calls: number, errors: number): void {
    const key = JSON.stringify([edge.from, edge.to, edge.type]);
    let counts = this.edges.get(key);
    if (counts === undefined) {
      counts = { from: edge.from, fromKind: edge.fromKind, to: edge.to, toKind: edge.toKind, type: edge.type, calls: 0, errors: 0, vias: new Map() };
      this.edges.set(key, counts);
    }
    counts.calls += calls;
    counts.errors += errors;
    if (edge.via != null) counts.vias.set(edge.via, (counts.vias.get(edge.via) ?? 0) + calls);
  }

  /** A service the source shows with spans of its own; a version with the time it was first seen, if known. */
  addService(name: string, facts: { entrypoint?: boolean; version?: string | null; firstMs?: number | null } = {}): void {
    let seen = this.services.get(name);
    if (seen === undefined) this.services.set(name, (seen = { entrypoint: false, versions: new Map() }));
    if (facts.entrypoint) seen.entrypoint = true;
    if (facts.version != null && facts.version !== '') {
      const first = facts.firstMs ?? null;
      const known = seen.versions.get(facts.version);
      seen.versions.set(facts.version, known == null ? first : first == null ? known : Math.min(known, first));
    }
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  finish(): AggregatedEdges {
    const { startMs, endMs } = this.window;
    const day = utcDay(endMs);
    const calls: CallTally[] = [];
    for (const e of this.edges.values()) {
      const n = Math.round(e.calls);
      if (n <= 0) continue;
      calls.push({
        from: e.from,
        fromKind: e.fromKind,
        to: e.to,
        toKind: e.toKind,
        type: e.type,
        day,
        calls: n,
        errors: Math.min(n, Math.round(e.errors)),
        firstMs: startMs,
        lastMs: endMs,
        operations: [],
        vias: [...e.vias].map(([via, v]) => ({ via, calls: Math.round(v) })).filter((v) => v.calls > 0),
        environments: [],
        samples: [],
      });
    }
    const services: ServiceTally[] = [...this.services].map(([name, seen]) => ({
      name,
      spans: 0,
      entrypoint: seen.entrypoint,
      versions: [...seen.versions].map(([version, firstMs]) => ({ version, firstMs: firstMs ?? startMs, lastMs: endMs })),
      environments: [],
      firstMs: startMs,
      lastMs: endMs,
    }));
    const byEdge = (a: CallTally, b: CallTally) => compare(a.from, b.from) || compare(a.to, b.to) || compare(a.type, b.type);
    return { calls: calls.sort(byEdge), services: services.sort((a, b) => compare(a.name, b.name)), warnings: this.warnings };
  }
}

/**
 * The UTC day the counts are filed under: the day of the window's last instant, so a window that
 * ends exactly at midnight counts for the day it covers, not the one that has not started.
 */
export function utcDay(endMs: number): string {
  return new Date(endMs - 1).toISOString().slice(0, 10);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
