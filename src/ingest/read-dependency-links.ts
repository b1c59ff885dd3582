/**
 * The dependency links of Jaeger (`GET /api/dependencies?endTs=&lookback=`, answering
 * `{"data": [{"parent", "child", "callCount"}], ...}`) and Zipkin (`GET /api/v2/dependencies`,
 * answering `[{"parent", "child", "callCount", "errorCount"}]`) turned into edges: each link is
 * a sync call parent -> child between two services, counted over the window the links cover.
 * Neither names operations, versions or call types; Jaeger counts no errors. A link from a
 * service to itself is a self-call (CONTRACT §2 R4): counted in a warning, not kept.
 */
import { AggregatedEdgeBuilder, type AggregatedEdges, type AggregationWindow, fieldError } from './aggregated-edges.js';

export type DependencyLinkFormat = 'jaeger' | 'zipkin';

export function readDependencyLinks(answer: unknown, format: DependencyLinkFormat, window: AggregationWindow, source: string): AggregatedEdges {
  const { links, at } = linksOf(answer, format, source);
  const builder = new AggregatedEdgeBuilder(window);
  let selfCalls = 0;
  links.forEach((link: unknown, i: number) => {
    const field = `${at}[${i}]`;
    if (typeof link !== 'object' || link === null || Array.isArray(link)) throw fieldError(source, field, 'expected an object with parent, child and callCount');
    const { parent, child, callCount, errorCount } = link as Record<string, unknown>;
    const from = name(parent, `${field}.parent`, source);
    const to = name(child, `${field}.child`, source);
    const calls = count(callCount, `${field}.callCount`, source);
    const errors = errorCount === undefined || format === 'jaeger' ? 0 : count(errorCount, `${field}.errorCount`, source);
    if (from === to) {
      selfCalls += calls;
      return;
    }
    builder.addCalls({ from, fromKind: 'service', to, toKind: 'service', type: 'sync' }, calls, errors);
    if (calls > 0) {
      builder.addService(from);
      builder.addService(to);
    }
  });
  if (selfCalls > 0) builder.warn(`${source}: ${selfCalls.toLocaleString('en-US')} calls of a service to itself are not edges`);
  return builder.finish();
}

/** Jaeger wraps the links in `data` (and reports failures in `errors`); Zipkin answers the bare array. */
function linksOf(answer: unknown, format: DependencyLinkFormat, source: string): { links: unknown[]; at: string } {
  if (Array.isArray(answer)) return { links: answer, at: '' };
  if (format === 'zipkin') throw fieldError(source, '(top level)', `expected a JSON array of dependency links, got ${describe(answer)}`);
  if (typeof answer !== 'object' || answer === null) throw fieldError(source, '(top level)', `expected a JSON object with "data", got ${describe(answer)}`);
  const { data, errors } = answer as Record<string, unknown>;
  if (Array.isArray(errors) && errors.length > 0) {
    const first = errors[0] as { msg?: unknown; code?: unknown } | null;
    const msg = typeof first?.msg === 'string' ? first.msg : JSON.stringify(first);
    throw fieldError(source, 'errors', `Jaeger answered with an error${typeof first?.code === 'number' ? ` (${first.code})` : ''}: ${msg}`);
  }
  if (!Array.isArray(data)) throw fieldError(source, 'data', `expected an array of dependency links, got ${describe(data)}`);
  return { links: data, at: 'data' };
}

function name(value: unknown, field: string, source: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw fieldError(source, field, `expected a service name, got ${describe(value)}`);
  return value;
}

function count(value: unknown, field: string, source: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw fieldError(source, field, `expected a count (a whole number, 0 or more), got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : JSON.stringify(value);
}
