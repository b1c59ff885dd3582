/**
 * Builds small OTLP/JSON exports inline for tests, and derives graphs from text in memory.
 */
import { gzipSync } from 'node:zlib';
import { deriveGraph, type Derivation, type DeriveOptions, type TraceInput } from '../../src/derive-graph.js';

export const KIND = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

export interface SpanSpec {
  trace?: string;
  id: string;
  parent?: string;
  name?: string;
  kind?: number | string;
  error?: boolean;
  start?: string | number;
  attrs?: Record<string, string | number | boolean>;
  links?: { trace?: string; id: string }[];
}

export interface ResourceSpec {
  service?: string;
  version?: string;
  env?: string;
  spans: SpanSpec[];
}

/** A short readable id ("a1") padded to a valid hex span id (16) or trace id (32). */
export function hexId(short: string, length: 16 | 32): string {
  const hex = Buffer.from(short).toString('hex');
  return hex.padStart(length, '0').slice(-length);
}

export const TRACE = hexId('t1', 32);
const BASE_NS = 1_764_000_000_000_000_000n; // 2025-11-24T16:00:00Z

function attribute(key: string, value: string | number | boolean) {
  if (typeof value === 'number') return { key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  return { key, value: { stringValue: value } };
}

export function otlpSpan(s: SpanSpec, index = 0): Record<string, unknown> {
  const start = s.start ?? String(BASE_NS + BigInt(index) * 1_000_000n);
  return {
    traceId: s.trace ?? TRACE,
    spanId: hexId(s.id, 16),
    ...(s.parent === undefined ? {} : { parentSpanId: hexId(s.parent, 16) }),
    name: s.name ?? s.id,
    kind: s.kind ?? KIND.internal,
    startTimeUnixNano: start,
    endTimeUnixNano: typeof start === 'string' ? String(BigInt(start) + 500_000n) : start,
    ...(s.attrs === undefined ? {} : { attributes: Object.entries(s.attrs).map(([k, v]) => attribute(k, v)) }),
    ...(s.links === undefined ? {} : { links: s.links.map((l) => ({ traceId: l.trace ?? TRACE, spanId: hexId(l.id, 16) })) }),
    status: s.error ? { code: 2, message: 'failed' } : {},
  };
}

export function otlpDocument(resources: ResourceSpec[]): Record<string, unknown> {
  let index = 0;
  return {
    resourceSpans: resources.map((r) => ({
      resource: {
        attributes: [
          ...(r.service === undefined ? [] : [attribute('service.name', r.service)]),
          ...(r.version === undefined ? [] : [attribute('service.version', r.version)]),
          ...(r.env === undefined ? [] : [attribute('deployment.environment.name', r.env)]),
        ],
      },
      scopeSpans: [{ scope: { name: 'test' }, spans: r.spans.map((s) => otlpSpan(s, index++)) }],
    })),
  };
}

/** JSON Lines: one document per resource. */
export function otlpLines(resources: ResourceSpec[]): string {
  return resources.map((r) => JSON.stringify(otlpDocument([r]))).join('\n') + '\n';
}

export function inputFromText(name: string, content: string | Buffer, chunkSize = 1 << 16): TraceInput {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return {
    name,
    async *open() {
      for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
    },
  };
}

export function derive(content: string | Buffer | Record<string, unknown>, options: DeriveOptions & { chunkSize?: number } = {}): Promise<Derivation> {
  const text = Buffer.isBuffer(content) || typeof content === 'string' ? content : JSON.stringify(content);
  return deriveGraph([inputFromText('traces.json', text, options.chunkSize)], options);
}

export function deriveFiles(files: Record<string, string | Buffer>, options: DeriveOptions = {}): Promise<Derivation> {
  return deriveGraph(
    Object.entries(files).map(([name, content]) => inputFromText(name, content)),
    options,
  );
}

export function gzip(text: string): Buffer {
  return gzipSync(Buffer.from(text));
}

/** Edges as compact strings `from -> to type calls/errors`, for readable assertions. */
export function edgeLines(d: Derivation): string[] {
  return d.view.edges.map((e) => `${e.from} -> ${e.to} ${e.type} ${e.calls}/${e.errors}`);
}
