/**
 * Aggregated sources for `ingest` and `nightly`: `--from prometheus URL` (the service-graph
 * metrics of the Collector's servicegraph connector or Tempo's metrics-generator, through a
 * Prometheus-compatible query API), `--from jaeger-dependencies URL|FILE` and
 * `--from zipkin-dependencies URL|FILE` (the dependency links of those backends), over the window
 * `--lookback` ending at `--at` (default: now). Everything is fetched before the store is opened,
 * so a source that cannot be read fails the run (exit 2) with the store untouched.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { InputError, UsageError } from '../errors.js';
import { DEFAULT_MAX_OPEN_SPANS } from '../derive/window-size.js';
import type { AggregatedEdges, AggregationWindow } from '../ingest/aggregated-edges.js';
import { readDependencyLinks } from '../ingest/read-dependency-links.js';
import { readPrometheusServiceGraph, serviceGraphQueries } from '../ingest/read-prometheus-servicegraph.js';
import { type SizedInput, expandInputs } from './expand-inputs.js';
import type { CliIo } from './io.js';
import { parseDuration } from './parse-duration.js';

export const SOURCE_KINDS = ['prometheus', 'jaeger-dependencies', 'zipkin-dependencies'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** How long one HTTP request may take, answer included. */
const FETCH_TIMEOUT_MS = 60_000;
const DAY_MS = 86_400_000;

/** What `--from` collected: sources, and trace inputs that followed them on the command line. */
export interface FromList {
  readonly sources: readonly { readonly kind: SourceKind; readonly location: string }[];
  readonly inputs: readonly string[];
  readonly pending: SourceKind | null;
}

export interface SourceOptions {
  readonly from?: FromList;
  readonly lookback: number;
  readonly at?: number;
}

/** An aggregated source, read: its edges, and the digest that lets a re-run skip the same answer. */
export interface FetchedSource {
  readonly name: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly edges: AggregatedEdges;
}

export function fromOption(): Option {
  return new Option(
    '--from <kind-and-source...>',
    `also read aggregated edges: ${SOURCE_KINDS.join(', ')}, each followed by its URL (or, for the dependencies, a saved answer's file); repeatable`,
  ).argParser(collectFrom);
}

/**
 * `--window` of `ingest` and `nightly`: spans held open for pairing, or a duration (`24h`),
 * which is the window `--from` sources count calls over, as `--lookback` says it.
 */
export function windowOption(): Option {
  return new Option('--window <spans|duration>', 'spans held open for pairing before the oldest traces are finalised; a duration (24h) is the --lookback of --from sources')
    .default(DEFAULT_MAX_OPEN_SPANS)
    .argParser(parseWindow);
}

function parseWindow(value: string): number | { lookback: number } {
  const wrong = () => new UsageError(`--window takes a positive whole number of spans, or a duration such as 24h for --from sources; got ${JSON.stringify(value)}`);
  if (/^\s*\d+\s*$/.test(value)) {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n <= 0) throw wrong();
    return n;
  }
  try {
    return { lookback: parseDuration('--window')(value) };
  } catch {
    throw wrong();
  }
}

/** The pairing window in spans, and the --from window in ms, from `--window` and `--lookback`. */
export function windowsOf(command: Command, options: { readonly window: number | { readonly lookback: number }; readonly lookback: number }): { maxOpenSpans: number; lookback: number } {
  if (typeof options.window === 'number') return { maxOpenSpans: options.window, lookback: options.lookback };
  if (command.getOptionValueSource('lookback') === 'cli') throw new UsageError('--window 24h and --lookback say the same thing: give one of them');
  return { maxOpenSpans: DEFAULT_MAX_OPEN_SPANS, lookback: options.window.lookback };
}

export function lookbackOption(): Option {
  return new Option('--lookback <duration>', 'the window --from sources count calls over, e.g. 24h').default(DAY_MS, '24h').argParser(parseDuration('--lookback'));
}

export function atOption(): Option {
  return new Option('--at <time>', 'the end of that window: ISO 8601 or Unix seconds (default: now)').argParser(parseTime);
}

/**
 * Commander hands a variadic option its values one by one: a kind, its URL or file, then either
 * another kind or trace inputs (`--from prometheus URL exports/*.jsonl`).
 */
function collectFrom(value: string, previous: FromList | undefined): FromList {
  const list = previous ?? { sources: [], inputs: [], pending: null };
  if (list.pending !== null) return { ...list, sources: [...list.sources, { kind: list.pending, location: value }], pending: null };
  if ((SOURCE_KINDS as readonly string[]).includes(value)) return { ...list, pending: value as SourceKind };
  if (list.sources.length === 0) throw new UsageError(`--from takes a source kind (${SOURCE_KINDS.join(', ')}) and then its URL or file, got ${JSON.stringify(value)}`);
  return { ...list, inputs: [...list.inputs, value] };
}

function parseTime(value: string): number {
  const trimmed = value.trim();
  const ms = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed);
  if (!Number.isFinite(ms)) throw new UsageError(`--at takes a time such as 2026-11-29T00:00:00Z or Unix seconds, got ${JSON.stringify(value)}`);
  return ms;
}

/** The trace inputs and the aggregated sources of a command line, every source already read. */
export async function readSources(patterns: readonly string[], options: SourceOptions, io: CliIo): Promise<{ inputs: SizedInput[]; aggregated: FetchedSource[] }> {
  const from = options.from;
  if (from?.pending != null) throw new UsageError(`--from ${from.pending} needs ${from.pending === 'prometheus' ? 'a URL' : 'a URL or a file'}`);
  const inputs = expandInputs([...patterns, ...(from?.inputs ?? [])], io);
  const sources = from?.sources ?? [];
  if (inputs.length === 0 && sources.length === 0) throw new UsageError('name trace files to read, or an aggregated source with --from (e.g. --from prometheus http://prometheus:9090)');
  const endMs = options.at ?? Date.now();
  const window: AggregationWindow = { startMs: endMs - options.lookback, endMs };
  const aggregated: FetchedSource[] = [];
  for (const source of sources) aggregated.push(await readSource(source.kind, source.location, window, io));
  return { inputs, aggregated };
}

async function readSource(kind: SourceKind, location: string, window: AggregationWindow, io: CliIo): Promise<FetchedSource> {
  const isUrl = /^https?:\/\//i.test(location);
  const name = `${kind} ${location}`;
  if (kind === 'prometheus') {
    if (!isUrl) throw new UsageError(`--from prometheus takes the http(s) URL of a Prometheus-compatible query API (Prometheus, Mimir, Thanos), got ${JSON.stringify(location)}`);
    const base = location.replace(/\/+$/, '').replace(/\/api\/v1\/query$/, '');
    const queries = serviceGraphQueries((window.endMs - window.startMs) / 1000);
    const ask = (query: string) => fetchJson(`${base}/api/v1/query?${new URLSearchParams({ query, time: String(window.endMs / 1000) })}`, `${base}/api/v1/query?query=${query}`);
    const requests = await ask(queries.requests);
    const failed = await ask(queries.failed);
    const firstSeen = await ask(queries.firstSeen);
    const edges = readPrometheusServiceGraph({ requests: requests.json, failed: failed.json, firstSeen: firstSeen.json }, window, name);
    return { name, ...digestOf(edges, window), edges };
  }
  const format = kind === 'jaeger-dependencies' ? 'jaeger' : 'zipkin';
  if (isUrl) {
    const url = new URL(location);
    if (!/\/dependencies\/?$/.test(url.pathname)) url.pathname = `${url.pathname.replace(/\/+$/, '')}${format === 'jaeger' ? '/api/dependencies' : '/api/v2/dependencies'}`;
    url.searchParams.set('endTs', String(Math.round(window.endMs)));
    url.searchParams.set('lookback', String(Math.round(window.endMs - window.startMs)));
    const answer = await fetchJson(url.toString(), url.toString());
    const edges = readDependencyLinks(answer.json, format, window, name);
    return { name, ...digestOf(edges, window), edges };
  }
  // A saved answer is identified by its content, like a trace file, whatever window it is given.
  const answer = readJsonFile(isAbsolute(location) ? location : resolve(io.cwd, location), location);
  return { name, ...digestOf(answer.text), edges: readDependencyLinks(answer.json, format, window, name) };
}

/** GET a JSON answer; every way it can fail is one line naming the URL. */
async function fetchJson(url: string, shown: string): Promise<{ json: unknown; text: string }> {
  let text: string;
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    text = await response.text();
  } catch (error) {
    throw new InputError(`${shown}: cannot fetch (${reasonOf(error)})`);
  }
  if (!response.ok) throw new InputError(`${shown}: HTTP ${response.status} ${response.statusText}${detailOf(text)}`);
  try {
    return { json: JSON.parse(text) as unknown, text };
  } catch (error) {
    throw new InputError(`${shown}: the answer is not JSON (${(error as Error).message}): ${snippet(text)}`);
  }
}

function readJsonFile(path: string, shown: string): { json: unknown; text: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${shown}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return { json: JSON.parse(text.replace(/^\uFEFF/, '')) as unknown, text };
  } catch (error) {
    throw new InputError(`${shown}: not JSON (${(error as Error).message})`);
  }
}

function reasonOf(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${FETCH_TIMEOUT_MS / 1000}s`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}

/** What an error answer says: Prometheus' and Jaeger's JSON errors, else the start of the body. */
function detailOf(text: string): string {
  try {
    const body = JSON.parse(text) as { status?: unknown; errorType?: unknown; error?: unknown; errors?: { msg?: unknown }[] };
    if (body.status === 'error') return `: ${String(body.errorType ?? 'error')}: ${String(body.error ?? '')}`;
    const msg = body.errors?.[0]?.msg;
    if (typeof msg === 'string') return `: ${msg}`;
  } catch {
    // not JSON: show the text itself
  }
  return text.trim() === '' ? '' : `: ${snippet(text)}`;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/**
 * What identifies an answer, so that the same one is not counted twice: a live answer by the
 * edges it gave for its window (servers list series in no fixed order), a file by its content.
 */
function digestOf(content: string | AggregatedEdges, window?: AggregationWindow): { sha256: string; bytes: number } {
  const text = typeof content === 'string' ? content : JSON.stringify({ window, calls: content.calls, services: content.services });
  return { sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) };
}
