/**
 * Turns spans into calls by CONTRACT §2 (R1-R6). Spans wait in a window of open traces, so a
 * parent that arrives after its child (later in the file or in another input) is still paired;
 * traces are finalised when the input ends, or oldest first when the window is full.
 */
import { SpanKind } from '@opentelemetry/api';
import type { Call, IngestStats, Span } from '../model.js';
import { DEFAULT_MAX_OPEN_SPANS } from './window-size.js';
import { type NamedNode, nameEntryCaller, nameExitOperation, nameExitTarget, nameQueue, nameServedOperation } from './name-calls.js';

/** What the spans of one service showed: versions with first and last span time, environments. */
export interface ServiceFacts {
  readonly versions: Map<string, { firstMs: number | null; lastMs: number | null }>;
  readonly environments: Set<string>;
  entrypoint: boolean;
  spans: number;
  /** Span time of the service's first and last span. */
  firstMs: number | null;
  lastMs: number | null;
}

export interface TraceWindowOptions {
  /** Only calls and services seen in this environment (deployment.environment.name). */
  readonly environment?: string | null;
  /** Spans held open before the oldest traces are finalised early. */
  readonly maxOpenSpans?: number;
  /** Spans one trace may have (limits.maxSpansPerTrace); later spans of a full trace are ignored and counted. */
  readonly maxSpansPerTrace?: number;
}

/** Traces that reached maxSpansPerTrace: how many, the spans ignored, the first such trace. */
export interface OversizedTraces {
  traces: number;
  ignoredSpans: number;
  firstTraceId: string | null;
}

export { DEFAULT_MAX_OPEN_SPANS } from './window-size.js';
export const DEFAULT_MAX_SPANS_PER_TRACE = 100_000;
/** How many finalised traces (for counting late spans) and producer spans (for later links) are remembered, per span of window. */
const REMEMBERED_PER_OPEN_SPAN = 0.25;

interface Trace {
  readonly id: string;
  readonly spans: Map<string, Span>;
  /** Whether a span was ignored because the trace was full. */
  full?: boolean;
}

const isCaller = (s: Span) => s.kind === SpanKind.CLIENT || s.kind === SpanKind.PRODUCER;
const isEntry = (s: Span) => s.kind === SpanKind.SERVER || s.kind === SpanKind.CONSUMER;

export class TraceWindow {
  readonly stats: Omit<IngestStats, 'files' | 'ignoredCalls'> = {
    spans: 0,
    traces: 0,
    duplicateSpans: 0,
    conflictingSpans: 0,
    unresolvedExits: 0,
    selfCalls: 0,
    missingParents: 0,
    unresolvedLinks: 0,
    evictedTraces: 0,
    lateSpans: 0,
  };
  readonly services = new Map<string, ServiceFacts>();
  /** Environments seen on any span, to explain an `--env` that matches nothing. */
  readonly environmentsSeen = new Set<string>();
  readonly oversized: OversizedTraces = { traces: 0, ignoredSpans: 0, firstTraceId: null };

  private readonly open = new Map<string, Trace>();
  private openSpans = 0;
  private readonly finalised = new Set<string>();
  /** Spans of finalised traces that a later consumer's link may still point at. */
  private readonly linkTargets = new Map<string, Span>();
  /** Spans (traceId:spanId) a consumer in another service linked to: they have a remote child. */
  private readonly linkedFromElsewhere = new Set<string>();
  private readonly environment: string | null;
  private readonly maxOpenSpans: number;
  private readonly maxSpansPerTrace: number;
  private readonly remembered: number;

  constructor(
    private readonly onCall: (call: Call) => void,
    options: TraceWindowOptions = {},
  ) {
    this.environment = options.environment ?? null;
    this.maxOpenSpans = options.maxOpenSpans ?? DEFAULT_MAX_OPEN_SPANS;
    this.maxSpansPerTrace = options.maxSpansPerTrace ?? DEFAULT_MAX_SPANS_PER_TRACE;
    this.remembered = Math.max(1000, Math.round(this.maxOpenSpans * REMEMBERED_PER_OPEN_SPAN));
  }

  add(span: Span): void {
    this.stats.spans++;
    let trace = this.open.get(span.traceId);
    if (trace !== undefined) {
      // One copy of the trace id for the whole trace: each span parsed on its own brought its own.
      (span as { traceId: string }).traceId = trace.id;
    } else {
      if (this.finalised.has(span.traceId)) this.stats.lateSpans++;
      else this.stats.traces++;
      trace = { id: span.traceId, spans: new Map() };
      this.open.set(span.traceId, trace);
    }
    const existing = trace.spans.get(span.spanId);
    if (existing !== undefined) {
      if (isSameSpan(existing, span)) this.stats.duplicateSpans++;
      else this.stats.conflictingSpans++;
      return;
    }
    if (trace.spans.size >= this.maxSpansPerTrace) {
      // One runaway trace (a loop, ids reused by a broken tracer) must not hold the whole window.
      if (trace.full !== true) {
        trace.full = true;
        this.oversized.traces++;
        this.oversized.firstTraceId ??= trace.id;
      }
      this.oversized.ignoredSpans++;
      return;
    }
    trace.spans.set(span.spanId, span);
    this.openSpans++;
    this.recordService(span);
    if (this.openSpans > this.maxOpenSpans) this.evict();
  }

  /** Finalises every open trace: call once, after the last input. */
  finish(): void {
    this.finalise([...this.open.keys()]);
  }

  private evict(): void {
    const target = Math.floor(this.maxOpenSpans * 0.9);
    const batch: string[] = [];
    let remaining = this.openSpans;
    for (const [traceId, trace] of this.open) {
      if (remaining <= target) break;
      batch.push(traceId);
      remaining -= trace.spans.size;
    }
    this.stats.evictedTraces += batch.length;
    this.finalise(batch);
  }

  private finalise(traceIds: readonly string[]): void {
    const traces = traceIds.map((id) => this.open.get(id)!);
    // Links first, across the whole window, so a linked producer knows it has a remote consumer.
    const linked = new Map<Span, Span[]>();
    for (const trace of traces) {
      for (const span of trace.spans.values()) {
        if (span.links.length === 0) continue;
        const targets: Span[] = [];
        for (const link of span.links) {
          const open = this.open.get(link.traceId)?.spans.get(link.spanId);
          const target = open ?? this.linkTargets.get(`${link.traceId}:${link.spanId}`);
          if (target === undefined) continue;
          targets.push(target);
          // A producer still open learns it has a consumer elsewhere (a finalised one already made its calls).
          if (open !== undefined && span.kind === SpanKind.CONSUMER && target.resource.service !== span.resource.service) {
            this.linkedFromElsewhere.add(`${target.traceId}:${target.spanId}`);
          }
        }
        if (targets.length < span.links.length) this.stats.unresolvedLinks += span.links.length - targets.length;
        linked.set(span, targets);
      }
    }
    for (const trace of traces) this.deriveCalls(trace, linked);
    for (let i = 0; i < traceIds.length; i++) {
      const traceId = traceIds[i]!;
      const trace = traces[i]!;
      this.open.delete(traceId);
      this.openSpans -= trace.spans.size;
      remember(this.finalised, traceId, this.remembered);
      for (const span of trace.spans.values()) {
        const key = `${span.traceId}:${span.spanId}`;
        this.linkedFromElsewhere.delete(key);
        if (span.kind === SpanKind.PRODUCER) rememberEntry(this.linkTargets, key, span, this.remembered);
      }
    }
  }

  private deriveCalls(trace: Trace, linked: ReadonlyMap<Span, readonly Span[]>): void {
    const spans = trace.spans;
    /** Caller spans whose callee span is in the trace: no leaf exit (R3) for them. */
    const hasRemoteChild = new Set<Span>();
    for (const child of spans.values()) {
      if (child.parentSpanId === null) continue;
      const parent = spans.get(child.parentSpanId);
      if (parent === undefined) {
        this.stats.missingParents++;
        continue;
      }
      if (parent.resource.service !== child.resource.service) {
        hasRemoteChild.add(parent);
        this.emitPair(parent, child); // R1
      } else if (isCaller(parent) && isEntry(child)) {
        this.stats.selfCalls++; // R4: a service calling itself
        hasRemoteChild.add(parent); // its callee answered: not also a leaf exit (counted once)
      }
    }
    for (const span of spans.values()) {
      const targets = linked.get(span);
      if (span.kind === SpanKind.CONSUMER && targets !== undefined) this.emitLinks(span, targets, spans); // R2
      if (isCaller(span) && !hasRemoteChild.has(span) && !this.isLinkedFromElsewhere(span)) {
        this.emitExit(span); // R3
      }
      if (span.parentSpanId === null && isEntry(span) && (targets === undefined || targets.length === 0)) {
        this.emitEntry(span); // R5
      }
    }
  }

  /** R1: parent P in A, child C in B != A. */
  private emitPair(parent: Span, child: Span): void {
    const async = parent.kind === SpanKind.PRODUCER || child.kind === SpanKind.CONSUMER;
    this.emit({
      from: parent.resource.service,
      fromKind: 'service',
      to: child.resource.service,
      toKind: 'service',
      type: async ? 'async' : 'sync',
      via: async ? (nameQueue(parent) ?? nameQueue(child)) : null,
      operation: nameServedOperation(child),
      callerVersion: parent.resource.version,
      calleeVersion: child.resource.version,
      environments: environmentsOf(parent, child),
      isError: parent.isError || child.isError, // R6
      timeMs: child.startMs ?? parent.startMs,
      traceId: child.traceId,
    });
  }

  /** R2: a consumer linked to spans of other services: one async call per service. */
  private emitLinks(consumer: Span, targets: readonly Span[], spans: ReadonlyMap<string, Span>): void {
    const parent = consumer.parentSpanId === null ? undefined : spans.get(consumer.parentSpanId);
    const done = new Set<string>([consumer.resource.service]);
    if (parent !== undefined) done.add(parent.resource.service);
    for (const target of targets) {
      const from = target.resource.service;
      if (done.has(from)) continue;
      done.add(from);
      this.emit({
        from,
        fromKind: 'service',
        to: consumer.resource.service,
        toKind: 'service',
        type: 'async',
        via: nameQueue(target) ?? nameQueue(consumer),
        operation: nameServedOperation(consumer),
        callerVersion: target.resource.version,
        calleeVersion: consumer.resource.version,
        environments: environmentsOf(target, consumer),
        isError: target.isError || consumer.isError,
        timeMs: consumer.startMs ?? target.startMs,
        traceId: consumer.traceId,
      });
    }
  }

  /** R3: a leaf CLIENT or PRODUCER span calls the database, queue or third party it names. */
  private emitExit(span: Span): void {
    const target = nameExitTarget(span);
    if (target === null) {
      if (this.inEnvironment(span)) this.stats.unresolvedExits++;
      return;
    }
    this.emit({
      from: span.resource.service,
      fromKind: 'service',
      to: target.name,
      toKind: target.kind,
      type: target.type,
      via: target.via,
      operation: nameExitOperation(span),
      callerVersion: span.resource.version,
      calleeVersion: null,
      environments: environmentsOf(span),
      isError: span.isError,
      timeMs: span.startMs,
      traceId: span.traceId,
    });
  }

  /** R5: a root SERVER or CONSUMER span: an entry point, or a call from the caller it names. */
  private emitEntry(span: Span): void {
    const caller: NamedNode | null = nameEntryCaller(span);
    if (caller === null) {
      const facts = this.services.get(span.resource.service);
      if (facts !== undefined && this.inEnvironment(span)) facts.entrypoint = true;
      return;
    }
    this.emit({
      from: caller.name,
      fromKind: caller.kind,
      to: span.resource.service,
      toKind: 'service',
      type: caller.type,
      via: caller.via,
      operation: nameServedOperation(span),
      callerVersion: null,
      calleeVersion: span.resource.version,
      environments: environmentsOf(span),
      isError: span.isError,
      timeMs: span.startMs,
      traceId: span.traceId,
    });
  }

  private isLinkedFromElsewhere(span: Span): boolean {
    return this.linkedFromElsewhere.size > 0 && this.linkedFromElsewhere.has(`${span.traceId}:${span.spanId}`);
  }

  private emit(call: Call): void {
    if (this.environment !== null && !call.environments.includes(this.environment)) return;
    this.onCall(call);
  }

  private inEnvironment(span: Span): boolean {
    return this.environment === null || span.resource.environment === this.environment;
  }

  private recordService(span: Span): void {
    const { service, version, environment } = span.resource;
    if (environment !== null) this.environmentsSeen.add(environment);
    if (!this.inEnvironment(span)) return;
    let facts = this.services.get(service);
    if (facts === undefined) {
      facts = { versions: new Map(), environments: new Set(), entrypoint: false, spans: 0, firstMs: null, lastMs: null };
      this.services.set(service, facts);
    }
    facts.spans++;
    if (environment !== null) facts.environments.add(environment);
    const t = span.startMs;
    if (t !== null) {
      if (facts.firstMs === null || t < facts.firstMs) facts.firstMs = t;
      if (facts.lastMs === null || t > facts.lastMs) facts.lastMs = t;
    }
    if (version !== null) {
      const seen = facts.versions.get(version);
      if (seen === undefined) facts.versions.set(version, { firstMs: t, lastMs: t });
      else if (t !== null) {
        if (seen.firstMs === null || t < seen.firstMs) seen.firstMs = t;
        if (seen.lastMs === null || t > seen.lastMs) seen.lastMs = t;
      }
    }
  }
}

function isSameSpan(a: Span, b: Span): boolean {
  return a.resource.service === b.resource.service && a.parentSpanId === b.parentSpanId && a.name === b.name && a.kind === b.kind && a.startMs === b.startMs;
}

function environmentsOf(a: Span, b?: Span): string[] {
  const ea = a.resource.environment;
  const eb = b?.resource.environment ?? null;
  if (ea === null) return eb === null ? [] : [eb];
  return eb === null || eb === ea ? [ea] : [ea, eb];
}

function remember(set: Set<string>, value: string, limit: number): void {
  set.add(value);
  if (set.size > limit) set.delete(set.values().next().value!);
}

function rememberEntry<V>(map: Map<string, V>, key: string, value: V, limit: number): void {
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value!);
}
