/**
 * The service-graph metrics of the OpenTelemetry Collector's servicegraph connector and of Tempo's
 * metrics-generator, as answered by a Prometheus-compatible `/api/v1/query` (Prometheus, Mimir,
 * Thanos), turned into edges: `traces_service_graph_request_total` counts the calls of each
 * client -> server pair, `traces_service_graph_request_failed_total` the failed ones.
 *
 * `connection_type` says what the pair is (CONTRACT §2): unset -> a sync call between two
 * services; `messaging_system` -> an async call through a broker; `database` -> a database call
 * to a database node; `virtual_node` -> one side was not instrumented: an unnamed server
 * (`unknown`) is left out, an unnamed client (`user`) marks the server as an entry point (R5),
 * a named server is an external node (R3), a named client a virtual caller. Versions come from
 * the `client_service_version` / `server_service_version` dimension labels (the dimension
 * `service.version`, prefixed and sanitised by the exporter), with the time each series was
 * first seen when that is known.
 */
import type { CallType, NodeKind } from '../model.js';
import { AggregatedEdgeBuilder, type AggregatedEdges, type AggregationWindow, fieldError } from './aggregated-edges.js';

export const REQUESTS_METRIC = 'traces_service_graph_request_total';
export const FAILED_METRIC = 'traces_service_graph_request_failed_total';

/** The parsed JSON answers of the queries, each for the same window. */
export interface ServiceGraphAnswers {
  /** `increase(traces_service_graph_request_total[window])`. */
  readonly requests: unknown;
  /** `increase(traces_service_graph_request_failed_total[window])`. */
  readonly failed: unknown;
  /** Optional: the first sample time (seconds) of each request series in the window, for version order. */
  readonly firstSeen?: unknown;
}

/** One series of an instant vector: its labels and its value. */
export interface PromSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The PromQL of each answer, for a window of `seconds` ending at the query's evaluation time. */
export function serviceGraphQueries(seconds: number): { requests: string; failed: string; firstSeen: string } {
  const range = `${Math.max(1, Math.round(seconds))}s`;
  const step = `${Math.max(60, Math.round(seconds / 1440))}s`;
  return {
    requests: `increase(${REQUESTS_METRIC}[${range}])`,
    failed: `increase(${FAILED_METRIC}[${range}])`,
    firstSeen: `min_over_time(timestamp(${REQUESTS_METRIC})[${range}:${step}])`,
  };
}

/**
 * The instant vector of a `/api/v1/query` answer; a `{"status":"error"}` answer, or anything not
 * shaped like a vector, is an error naming the source and the field.
 */
export function readPromVector(answer: unknown, source: string): PromSample[] {
  if (!isObject(answer)) throw fieldError(source, '(top level)', `expected a JSON object with "status" and "data", got ${kindOf(answer)}`);
  if (answer.status === 'error') {
    const type = typeof answer.errorType === 'string' ? ` (${answer.errorType})` : '';
    throw fieldError(source, 'status', `Prometheus answered with an error${type}: ${typeof answer.error === 'string' ? answer.error : 'no message'}`);
  }
  if (answer.status !== 'success') throw fieldError(source, 'status', `expected "success" or "error", got ${JSON.stringify(answer.status) ?? 'nothing'}`);
  const data = answer.data;
  if (!isObject(data)) throw fieldError(source, 'data', `expected an object, got ${kindOf(data)}`);
  if (data.resultType !== 'vector') throw fieldError(source, 'data.resultType', `expected "vector" (an instant query), got ${JSON.stringify(data.resultType) ?? 'nothing'}`);
  if (!Array.isArray(data.result)) throw fieldError(source, 'data.result', `expected an array, got ${kindOf(data.result)}`);
  return data.result.map((item: unknown, i: number) => {
    const at = `data.result[${i}]`;
    if (!isObject(item)) throw fieldError(source, at, `expected an object, got ${kindOf(item)}`);
    if (!isObject(item.metric)) throw fieldError(source, `${at}.metric`, `expected an object of labels, got ${kindOf(item.metric)}`);
    const labels: Record<string, string> = {};
    for (const [name, value] of Object.entries(item.metric)) {
      if (typeof value !== 'string') throw fieldError(source, `${at}.metric.${name}`, `expected a string, got ${kindOf(value)}`);
      labels[name] = value;
    }
    const pair = item.value;
    if (!Array.isArray(pair) || pair.length !== 2) throw fieldError(source, `${at}.value`, `expected [time, "value"], got ${kindOf(pair)}`);
    const value = Number(pair[1]);
    if (typeof pair[1] !== 'string' || !Number.isFinite(value) || value < 0) {
      throw fieldError(source, `${at}.value[1]`, `expected a finite, non-negative number as a string, got ${JSON.stringify(pair[1])}`);
    }
    return { labels, value };
  });
}

/** Edges, errors and versions from the answers of the queries of `serviceGraphQueries`. */
export function readPrometheusServiceGraph(answers: ServiceGraphAnswers, window: AggregationWindow, source: string): AggregatedEdges {
  const requests = readPromVector(answers.requests, `${source} (${REQUESTS_METRIC})`);
  const failed = readPromVector(answers.failed, `${source} (${FAILED_METRIC})`);
  const firstSeen = answers.firstSeen === undefined ? [] : readPromVector(answers.firstSeen, `${source} (first seen)`);
  const firstSeenMs = new Map<string, number>();
  for (const s of firstSeen) firstSeenMs.set(seriesKey(s.labels), s.value * 1000);

  const builder = new AggregatedEdgeBuilder(window);
  let unnamedCalls = 0;
  let userCalls = 0;
  const add = (sample: PromSample, index: number, metric: string, isFailed: boolean) => {
    const field = `${source} (${metric})`;
    const edge = toEdge(sample.labels, `data.result[${index}].metric`, field);
    if (edge === 'unnamed-server') {
      if (!isFailed) unnamedCalls += sample.value;
      return;
    }
    if (edge.type === 'entry') {
      if (!isFailed && sample.value > 0) {
        builder.addService(edge.to, { entrypoint: true, version: sample.labels.server_service_version, firstMs: firstSeenMs.get(seriesKey(sample.labels)) });
        userCalls += sample.value;
      }
      return;
    }
    builder.addCalls(edge, isFailed ? 0 : sample.value, isFailed ? sample.value : 0);
    if (isFailed || sample.value <= 0) return;
    const firstMs = firstSeenMs.get(seriesKey(sample.labels));
    if (edge.fromKind === 'service') builder.addService(edge.from, { version: sample.labels.client_service_version, firstMs });
    if (edge.toKind === 'service') builder.addService(edge.to, { version: sample.labels.server_service_version, firstMs });
  };
  requests.forEach((s, i) => add(s, i, REQUESTS_METRIC, false));
  failed.forEach((s, i) => add(s, i, FAILED_METRIC, true));
  if (Math.round(unnamedCalls) > 0) {
    builder.warn(`${source}: ${Math.round(unnamedCalls).toLocaleString('en-US')} calls to an uninstrumented server the metrics do not name (server="unknown") were left out`);
  }
  if (Math.round(userCalls) > 0) {
    builder.warn(`${source}: ${Math.round(userCalls).toLocaleString('en-US')} calls from outside (client="user") mark their servers as entry points, with no edge`);
  }
  return builder.finish();
}

type SeriesEdge =
  | { from: string; fromKind: NodeKind; to: string; toKind: NodeKind; type: CallType; via: string | null }
  | { type: 'entry'; to: string }
  | 'unnamed-server';

/** Names the connector gives a side it could not name. */
const UNNAMED_SERVER = new Set(['', 'unknown']);
const UNNAMED_CLIENT = new Set(['', 'user']);

function toEdge(labels: Readonly<Record<string, string>>, at: string, source: string): SeriesEdge {
  const client = labels.client;
  const server = labels.server;
  if (client === undefined) throw fieldError(source, `${at}.client`, 'missing: not a service-graph series (expected the labels client, server, connection_type)');
  if (server === undefined) throw fieldError(source, `${at}.server`, 'missing: not a service-graph series (expected the labels client, server, connection_type)');
  const type = labels.connection_type ?? '';
  switch (type) {
    case '':
      return { from: client, fromKind: 'service', to: server, toKind: 'service', type: 'sync', via: null };
    case 'messaging_system':
      return { from: client, fromKind: 'service', to: server, toKind: 'service', type: 'async', via: queueOf(labels) };
    case 'database':
      return { from: client, fromKind: 'service', to: databaseId(labels, server), toKind: 'database', type: 'database', via: null };
    case 'virtual_node': {
      const virtualSide = labels.virtual_node ?? (UNNAMED_CLIENT.has(client) ? 'client' : 'server');
      if (virtualSide === 'client') {
        if (UNNAMED_CLIENT.has(client)) return { type: 'entry', to: server };
        return { from: client, fromKind: 'external', to: server, toKind: 'service', type: 'sync', via: null };
      }
      if (UNNAMED_SERVER.has(server)) return 'unnamed-server';
      return { from: client, fromKind: 'service', to: server, toKind: 'external', type: 'external', via: null };
    }
    default:
      throw fieldError(source, `${at}.connection_type`, `unknown connection type ${JSON.stringify(type)} (expected "", "messaging_system", "database" or "virtual_node")`);
  }
}

/** `<messaging.system>:<destination>` when the dimensions carry both (R1), else null. */
function queueOf(labels: Readonly<Record<string, string>>): string | null {
  for (const side of ['client_', 'server_']) {
    const system = labels[`${side}messaging_system`];
    const destination = labels[`${side}messaging_destination_name`] ?? labels[`${side}messaging_destination`];
    if (system && destination) return `${system}:${destination}`;
  }
  return null;
}

/** `<db.system>:<name>` as R3 names a database, when a dimension carries the system. */
function databaseId(labels: Readonly<Record<string, string>>, server: string): string {
  const system = labels.client_db_system_name ?? labels.client_db_system ?? labels.server_db_system_name ?? labels.server_db_system;
  if (!system || server === system || server.startsWith(`${system}:`)) return server;
  return `${system}:${server}`;
}

/** Identity of a series across the answers (the metric name is gone after a function). */
function seriesKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(
    Object.entries(labels)
      .filter(([name]) => name !== '__name__')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
