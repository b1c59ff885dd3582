/**
 * Domain types of rollgraph: what a span is reduced to, what a call and an edge are, and the
 * plain views the reporters render. CONTRACT.md §2 and §6 define their meaning.
 */
import type { SpanKind } from '@opentelemetry/api';

/** Kind of a node in the graph: a service has spans of its own, the others are virtual. */
export type NodeKind = 'service' | 'database' | 'queue' | 'external';

/** How a call travels: request/response, through a broker, to a database, to a third party. */
export type CallType = 'sync' | 'async' | 'database' | 'external';

/** A span link, reduced to the span it points at. */
export interface SpanLink {
  readonly traceId: string;
  readonly spanId: string;
}

/** The resource a span belongs to, shared by every span of one resourceSpans entry. */
export interface SpanResource {
  readonly service: string;
  readonly version: string | null;
  readonly environment: string | null;
}

/**
 * A span reduced to what derivation needs. Ids are lowercase hex (32 and 16 characters);
 * `attributes` holds only the semantic-convention keys rollgraph reads, as strings.
 */
export interface Span {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly resource: SpanResource;
  /** `undefined` when the export leaves the kind unspecified. */
  readonly kind: SpanKind | undefined;
  readonly name: string;
  readonly isError: boolean;
  /** Start time in Unix milliseconds (fractional), or null when the export has none. */
  readonly startMs: number | null;
  readonly attributes: Readonly<Record<string, string>>;
  readonly links: readonly SpanLink[];
}

/** One observed call between two nodes, derived from one span pair (or one leaf span). */
export interface Call {
  readonly from: string;
  readonly fromKind: NodeKind;
  readonly to: string;
  readonly toKind: NodeKind;
  readonly type: CallType;
  readonly via: string | null;
  readonly operation: string;
  readonly callerVersion: string | null;
  readonly calleeVersion: string | null;
  readonly environments: readonly string[];
  readonly isError: boolean;
  readonly timeMs: number | null;
  readonly traceId: string;
}

/** A record the reader could not use, with where it stands in its input. */
export interface Rejection {
  readonly file: string;
  readonly line: number;
  /** Path of the offending field, e.g. `resourceSpans[0].scopeSpans[1].spans[3].spanId`. */
  readonly field: string | null;
  readonly reason: string;
}

/** Counters of one ingest, printed as the summary and returned by `--json`. */
export interface IngestStats {
  files: number;
  spans: number;
  traces: number;
  duplicateSpans: number;
  conflictingSpans: number;
  unresolvedExits: number;
  selfCalls: number;
  missingParents: number;
  unresolvedLinks: number;
  /** Traces finalised early because the pairing window was full. */
  evictedTraces: number;
  /** Spans that arrived for a trace already finalised by the pairing window. */
  lateSpans: number;
  /** Calls dropped by the config file's ignore rules. */
  ignoredCalls: number;
}

// ---------------------------------------------------------------------------------------------
// Views: plain, sorted data the reporters render (CONTRACT §6).

export type Impact = 'independent' | 'coordinated' | 'data-migration';
export type Confidence = 'observed' | 'assumed';

export interface OperationView {
  readonly name: string;
  readonly calls: number;
  readonly calleeVersions: readonly string[];
  /** Versions of the caller seen using this operation. */
  readonly callerVersions: readonly string[];
}

/** What rolling a service back to its previous version involves (`export` JSON, per service). */
export interface RollbackProfile {
  readonly fromVersion: string | null;
  readonly toVersion: string | null;
  /** Callers that must revert with it: the revert set of a plan for this service alone. */
  readonly mustRevertWith: readonly string[];
  /** Databases it writes to: compensate, don't revert. */
  readonly compensate: readonly string[];
  /** Third parties it calls with side effects: pause before reverting. */
  readonly dampen: readonly string[];
}

export interface NodeView {
  readonly id: string;
  readonly kind: NodeKind;
  /** Versions of a service in first-seen order; empty for virtual nodes. */
  readonly versions: readonly string[];
  readonly entrypoint: boolean;
  readonly environments: readonly string[];
  /** Services only, once impacts are tagged. */
  readonly rollback?: RollbackProfile;
}

export interface EdgeView {
  readonly from: string;
  readonly to: string;
  readonly type: CallType;
  readonly impact?: Impact;
  readonly confidence?: Confidence;
  readonly reason?: string;
  readonly calls: number;
  readonly errors: number;
  /** Sorted by calls, most called first, then by name. */
  readonly operations: readonly OperationView[];
  readonly via: string | null;
  readonly callerVersions: readonly string[];
  readonly calleeVersions: readonly string[];
  readonly environments: readonly string[];
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  readonly sampleTraceIds: readonly string[];
}

/** The graph as reporters see it: nodes sorted by id, edges by from, to, type. */
export interface GraphView {
  readonly nodes: readonly NodeView[];
  readonly edges: readonly EdgeView[];
}

// ---------------------------------------------------------------------------------------------
// Plans (CONTRACT §4) and impact reports.

export type StepKind = 'snapshot' | 'dampen' | 'revert' | 'verify' | 'resume' | 'compensate';

export interface PlanStep {
  readonly kind: StepKind;
  readonly services: readonly string[];
  readonly reversible: boolean;
  /** One line saying what to do. */
  readonly text: string;
  /** What must be true before this step (revert steps). */
  readonly precondition?: string;
  /** How to check the step worked (revert steps). */
  readonly verification?: string;
  /** The facts from the traces behind the step, one per line. */
  readonly evidence: readonly string[];
}

/** A service the plan had to add to the targets, and the call that forces it. */
export interface AddedService {
  readonly service: string;
  readonly because: { readonly from: string; readonly to: string; readonly operation: string | null };
  readonly reason: string;
}

export interface PlanView {
  readonly targets: readonly string[];
  readonly revertSet: readonly string[];
  /** Topological generations of the revert set: callers first; parallel inside a wave. */
  readonly waves: readonly (readonly string[])[];
  /** Strongly connected groups of the revert set: each must revert atomically. */
  readonly cycles: readonly (readonly string[])[];
  readonly steps: readonly PlanStep[];
  readonly added: readonly AddedService[];
  /** Current and target version of each service in the revert set. */
  readonly versions: Readonly<Record<string, { readonly from: string | null; readonly to: string | null }>>;
  readonly warnings: readonly string[];
}

export interface ImpactView {
  readonly service: string;
  readonly fromVersion: string | null;
  readonly toVersion: string | null;
  readonly mustRevertWith: readonly string[];
  /** Every edge into or out of the service, tagged for this rollback. */
  readonly edges: readonly EdgeView[];
  readonly plan: PlanView;
}

// ---------------------------------------------------------------------------------------------
// What the store keeps (it imports only this file), and the nightly comparison.

/** Calls between two nodes aggregated over one day (or, when read back, over a window). */
export interface CallTally {
  readonly from: string;
  readonly fromKind: NodeKind;
  readonly to: string;
  readonly toKind: NodeKind;
  readonly type: CallType;
  /** UTC day `YYYY-MM-DD` of the calls' span time; '' when the spans carried no time. */
  readonly day: string;
  readonly calls: number;
  readonly errors: number;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  readonly operations: readonly {
    readonly name: string;
    readonly calls: number;
    readonly calleeVersions: readonly string[];
    readonly callerVersions: readonly string[];
  }[];
  readonly vias: readonly { readonly via: string; readonly calls: number }[];
  readonly environments: readonly string[];
  readonly samples: readonly { readonly traceId: string; readonly timeMs: number | null }[];
}

/** What the spans of one service showed during a run. */
export interface ServiceTally {
  readonly name: string;
  readonly spans: number;
  readonly entrypoint: boolean;
  readonly versions: readonly { readonly version: string; readonly firstMs: number | null; readonly lastMs: number | null }[];
  readonly environments: readonly string[];
  readonly firstMs: number | null;
  readonly lastMs: number | null;
}

/** An edge accepted as known. */
export interface BaselineEdge {
  readonly from: string;
  readonly to: string;
  readonly type: CallType;
  readonly impact: Impact;
  readonly acceptedAt: string;
  readonly note: string | null;
}

export interface ImpactChange {
  readonly from: string;
  readonly to: string;
  readonly type: CallType;
  readonly was: Impact;
  readonly now: Impact;
  readonly reason: string;
}

/** A new edge, with the caller version that introduced it (the earliest one seen making it). */
export interface NewEdgeView extends EdgeView {
  readonly introducedBy: string | null;
}

export interface NightlyView {
  readonly baseline: 'established' | 'compared';
  readonly run: { readonly id: number; readonly spans: number; readonly edges: number };
  readonly newEdges: readonly NewEdgeView[];
  readonly goneEdges: readonly EdgeView[];
  readonly impactChanges: readonly ImpactChange[];
  /** Inputs skipped because the store already holds them (same content hash). */
  readonly skipped: readonly string[];
  /** Edges in the baseline after this run. */
  readonly baselineEdges: number;
  /** The newest span time in the store: "gone" is counted back from it, not from the clock. */
  readonly newestSpan: string | null;
  readonly staleAfterDays: number;
}
