/**
 * Reads span tables in CSV as research datasets publish them (Nezha, and exports of the same
 * shape): one row per span naming its trace, span and parent ids, its service or pod, its
 * operation and its start and end. Such tables carry no span kinds and no attributes, so their
 * edges come from CONTRACT §2 R1 alone (a parent and a child in different services). The header
 * chooses the columns (common spellings are recognised; `--csv-columns` names others); rows are
 * parsed one at a time by csv-parse, so memory does not grow with the file. Pod names
 * (`frontend-579b9bff58-t2dbm`) are read as their service (`frontend`). docs/sources/csv-span-tables.md.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SpanKind } from '@opentelemetry/api';
import type { CsvError } from 'csv-parse';
import type { Span, SpanResource } from '../model.js';
import { UNKNOWN_SERVICE } from './span-resources.js';
import type { SpanSink } from './span-sink.js';

/** What a column of a span table holds. `pod` is a service column whose names carry pod suffixes. */
export const CSV_ROLES = ['trace', 'span', 'parent', 'service', 'pod', 'operation', 'start', 'end', 'kind', 'status', 'version', 'environment'] as const;
export type CsvRole = (typeof CSV_ROLES)[number];

export const TIME_UNITS = ['s', 'ms', 'us', 'ns'] as const;
/** Unit of the numbers in the start and end columns (Unix time). */
export type TimeUnit = (typeof TIME_UNITS)[number];

export interface CsvSpanOptions {
  /** The header name of a column, by role; roles not named are found by their common names. */
  readonly columns?: Readonly<Partial<Record<CsvRole, string>>>;
  /** Unit of start and end; by default the header's (`…UnixNano`), else each value's magnitude. */
  readonly startUnit?: TimeUnit;
}

/** Header names (lowercase, letters and digits only) each role is found by, best first. */
const COMMON_NAMES: Record<CsvRole, readonly string[]> = {
  trace: ['traceid', 'trace'],
  span: ['spanid', 'span'],
  parent: ['parentid', 'parentspanid', 'parent', 'parentspan', 'pspanid'],
  service: ['servicename', 'service', 'svc', 'cmdbid'],
  pod: ['podname', 'pod', 'k8spodname'],
  operation: ['operationname', 'operation', 'spanname', 'name', 'opname'],
  start: ['starttime', 'start', 'timestamp'],
  end: ['endtime', 'end'],
  kind: ['spankind', 'kind'],
  status: ['statuscode', 'status', 'iserror', 'error'],
  version: ['serviceversion', 'version'],
  environment: ['deploymentenvironmentname', 'deploymentenvironment', 'environment'],
};

/** `StartTimeUnixNano`, `start_us`, `EndTimeMillis`...: a time column, with its unit when named. */
const TIME_HEADER = /^(start|end)(time)?(stamp)?(unix)?(nanos?|ns|micros?|us|millis?|ms|seconds?|sec|s)?$/;

const UNIT_WORDS: Record<string, TimeUnit> = {
  nano: 'ns', nanos: 'ns', ns: 'ns', micro: 'us', micros: 'us', us: 'us',
  milli: 'ms', millis: 'ms', ms: 'ms', second: 's', seconds: 's', sec: 's', s: 's',
};

const normalize = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

// ---------------------------------------------------------------------------------------------
// Recognising a span table and its columns.

const DELIMITERS = [',', '\t', ';'] as const;

/** The delimiter a header line uses: the one it holds most of (commas when none). */
function detectDelimiter(line: string): string {
  let best: string = ',';
  let most = 0;
  for (const d of DELIMITERS) {
    const n = line.split(d).length - 1;
    if (n > most) [best, most] = [d, n];
  }
  return best;
}

function splitHeader(line: string, delimiter: string): string[] {
  return line.split(delimiter).map((name) => name.trim().replace(/^"(.*)"$/, '$1').trim());
}

/** The column of each role found in a header, by index. */
type ColumnMap = Partial<Record<CsvRole, number>>;

function findColumn(header: readonly string[], role: CsvRole, options: CsvSpanOptions): number | undefined {
  const named = options.columns?.[role];
  if (named !== undefined) {
    const exact = header.indexOf(named);
    if (exact >= 0) return exact;
    const loose = header.findIndex((h) => normalize(h) === normalize(named));
    return loose >= 0 ? loose : undefined;
  }
  const normalized = header.map(normalize);
  if (role === 'start' || role === 'end') {
    const i = normalized.findIndex((h) => TIME_HEADER.exec(h)?.[1] === role);
    if (i >= 0) return i;
  }
  for (const name of COMMON_NAMES[role]) {
    const i = normalized.indexOf(name);
    if (i >= 0) return i;
  }
  return undefined;
}

function mapColumns(header: readonly string[], options: CsvSpanOptions): ColumnMap {
  const map: ColumnMap = {};
  for (const role of CSV_ROLES) {
    const i = findColumn(header, role, options);
    if (i !== undefined) map[role] = i;
  }
  return map;
}

/**
 * Whether the first line of `head` is the header of a span table: it names a trace id, a span id
 * and a parent id column (by their common names, or those `options` map).
 */
export function isCsvSpanHeader(head: Uint8Array, options: CsvSpanOptions = {}): boolean {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8');
  const end = text.search(/\r?\n/);
  const line = end < 0 ? text : text.slice(0, end);
  if (line.trim() === '' || line.trimStart().startsWith('{') || line.trimStart().startsWith('[')) return false;
  const map = mapColumns(splitHeader(line, detectDelimiter(line)), options);
  return map.trace !== undefined && map.span !== undefined && map.parent !== undefined;
}

/**
 * Parses `--csv-columns` text: `role=Header` pairs separated by commas, plus `start-unit=ns|us|ms|s`.
 * Returns the options, or the problems found (each a sentence).
 */
export function parseCsvColumns(text: string): { options: CsvSpanOptions } | { problems: string[] } {
  const columns: Partial<Record<CsvRole, string>> = {};
  let startUnit: TimeUnit | undefined;
  const problems: string[] = [];
  for (const pair of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    const key = (eq < 0 ? pair : pair.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (value === '') problems.push(`${JSON.stringify(pair)} names no column: write ${key || 'role'}=HeaderName`);
    else if (key === 'start-unit') {
      if ((TIME_UNITS as readonly string[]).includes(value)) startUnit = value as TimeUnit;
      else problems.push(`start-unit must be one of ${TIME_UNITS.join(', ')}, got ${JSON.stringify(value)}`);
    } else if ((CSV_ROLES as readonly string[]).includes(key)) columns[key as CsvRole] = value;
    else problems.push(`unknown column role ${JSON.stringify(key)}: expected ${CSV_ROLES.join(', ')} or start-unit`);
  }
  if (problems.length > 0) return { problems };
  return { options: { columns, ...(startUnit === undefined ? {} : { startUnit }) } };
}

// ---------------------------------------------------------------------------------------------
// Values.

/**
 * A Deployment's pod: `<deployment>-<pod-template-hash>-<random>`. Kubernetes draws both suffixes
 * from an alphabet without vowels and without 0, 1, 3 (older clusters: a decimal hash), so a
 * name ending in a word (`ts-gateway-service`, `redis-cart`) is never cut.
 */
const DEPLOYMENT_POD = /^(.+)-(?:[bcdfghjklmnpqrstvwxz2456789]{6,10}|\d{6,10})-[bcdfghjklmnpqrstvwxz2456789]{5}$/;

/** The service a pod name stands for, or null when it does not look like a Deployment's pod. */
export function serviceOfPod(pod: string): string | null {
  return DEPLOYMENT_POD.exec(pod)?.[1] ?? null;
}

const HEX = /^[0-9a-fA-F]+$/;
const ZEROS = /^0+$/;
/** Parent values that mean "no parent" in published tables. */
const NO_PARENT = new Set(['', 'root', 'none', 'null', 'nil', '-', '-1', 'nan']);

/** An id as the window compares it: hex in lowercase, anything else as written. */
function readCsvId(value: string): string {
  return HEX.test(value) ? value.toLowerCase() : value;
}

const DECIMAL = /^\d+(\.\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
/** Digits of the whole part from which a Unix time is read as each unit (2001 to 2286). */
const UNIT_BY_DIGITS: readonly [number, TimeUnit][] = [
  [18, 'ns'],
  [15, 'us'],
  [12, 'ms'],
  [0, 's'],
];

/** A time as Unix milliseconds; null when empty; a string saying what is wrong otherwise. */
function readTime(value: string, unit: TimeUnit | null, guessed: Set<TimeUnit>): number | null | string {
  if (value === '') return null;
  if (DECIMAL.test(value)) {
    const whole = value.split('.')[0]!;
    let u = unit;
    if (u === null) {
      u = UNIT_BY_DIGITS.find(([digits]) => whole.length >= digits)![1];
      guessed.add(u);
    }
    if (u === 'ns' && !value.includes('.') && value.length > 6) {
      // Beyond 2^53: split before converting so no nanosecond precision is lost in the millis.
      return Number(value.slice(0, -6)) + Number(value.slice(-6)) / 1e6;
    }
    const n = Number(value);
    return u === 'ns' ? n / 1e6 : u === 'us' ? n / 1e3 : u === 'ms' ? n : n * 1e3;
  }
  if (ISO_DATE.test(value)) {
    // A date without a zone is UTC here (JavaScript would read it as local time).
    const iso = value.replace(' ', 'T');
    const ms = Date.parse(/(Z|[+-]\d\d:?\d\d)$/i.test(iso) ? iso : `${iso}Z`);
    if (!Number.isNaN(ms)) return ms;
  }
  return `not a time: ${JSON.stringify(value.slice(0, 40))} (expected a non-negative Unix time or an ISO 8601 date)`;
}

const KIND_NAMES: Record<string, SpanKind> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

/** A kind name (`SERVER`, `SPAN_KIND_CLIENT`, `client`); null when the name is unknown. */
function readKind(value: string): SpanKind | undefined | null {
  const name = value.toLowerCase().replace(/^span_?kind[_.]?/, '');
  if (name === '' || name === 'unspecified') return undefined;
  return KIND_NAMES[name] ?? null;
}

const ERROR_WORDS = new Set(['error', 'status_code_error', 'true', 'err', 'failed', 'fail']);

/** Error status: an error word, an HTTP 5xx code, or 1 in a column named like `error`. */
function isErrorValue(value: string, isFlagColumn: boolean): boolean {
  const v = value.toLowerCase();
  if (ERROR_WORDS.has(v)) return true;
  if (/^5\d\d$/.test(v)) return true;
  return isFlagColumn && v === '1';
}

// ---------------------------------------------------------------------------------------------
// The reader.

const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});
const NO_LINKS: readonly never[] = Object.freeze([]);

/** Reads one span table's bytes into the sink; resolves to the number of lines read. */
export async function readCsvSpans(chunks: AsyncIterable<Uint8Array>, file: string, sink: SpanSink, options: CsvSpanOptions = {}): Promise<number> {
  // csv-parse loads when a CSV input is read, not at every start.
  const { CsvError, Parser } = await import('csv-parse');
  const { headerLine, rest } = await peekHeaderLine(chunks);
  const reader = new CsvSpanReader(file, sink, options);
  let lastLine = 0;
  // Each row is handled as the parser completes it, and none is queued: rows before a damage all
  // count, and memory holds one row at a time.
  const parser = new Parser({
    delimiter: detectDelimiter(headerLine),
    info: false,
    max_record_size: MAX_ROW_CHARACTERS,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    on_record: (record: string[], context: { lines: number }) => {
      lastLine = context.lines;
      if (!reader.read(record, lastLine)) throw UNREADABLE_HEADER;
      return null;
    },
  });
  try {
    await pipeline(Readable.from(rest), parser, async (rows: AsyncIterable<unknown>) => {
      for await (const _ of rows);
    });
  } catch (error) {
    if (error === UNREADABLE_HEADER) return 1;
    if (!(error instanceof CsvError)) throw error;
    // csv-parse cannot find the next row after a broken quote: the rows before it count.
    const line = error.code === 'CSV_QUOTE_NOT_CLOSED' ? lastLine + 1 : ((error as CsvError & { lines?: number }).lines ?? lastLine + 1);
    sink.reject({ file, line, field: null, reason: `${describeCsvError(error)}; the rows before it were read, the rest of the file was not` });
    reader.finish(false);
    return line;
  }
  reader.finish(true);
  return Math.max(lastLine, 1);
}

/** Thrown from the row handler to stop reading a table whose header names no usable columns. */
const UNREADABLE_HEADER = new Error('unreadable header');

/** The first line (to choose the delimiter), and every byte, the header included, for the parser. */
async function peekHeaderLine(chunks: AsyncIterable<Uint8Array>): Promise<{ headerLine: string; rest: AsyncIterable<Uint8Array> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const taken: Uint8Array[] = [];
  let text = '';
  let done = false;
  while (!/\r|\n/.test(text) && text.length < HEADER_PEEK) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    taken.push(next.value);
    text = Buffer.concat(taken).toString('utf8');
  }
  async function* rest(): AsyncGenerator<Uint8Array> {
    yield* taken;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { headerLine: text.split(/\r?\n|\r/)[0] ?? '', rest: rest() };
}

/** A row longer than this is damage (a quote never closed, a binary tail), not a span. */
const MAX_ROW_CHARACTERS = 1_000_000;

/** Bytes looked at for the header line before giving up on finding its end. */
const HEADER_PEEK = 65_536;

function describeCsvError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is opened here and never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quoted field is followed by other characters before the next delimiter';
    case 'CSV_MAX_RECORD_SIZE':
      return `a row longer than ${MAX_ROW_CHARACTERS.toLocaleString('en-US')} characters (is this a CSV file?)`;
    default:
      return `unreadable CSV (${error.message.replace(/\s+/g, ' ')})`;
  }
}

/** Turns the rows of one table into spans: the header first, then one span per row. */
class CsvSpanReader {
  private header: string[] | null = null;
  private columns: ColumnMap = {};
  private isPodColumn = false;
  private statusIsFlag = false;
  private timeUnit: TimeUnit | null = null;
  private readonly guessedUnits = new Set<TimeUnit>();
  private readonly resources = new Map<string, SpanResource>();
  /** Pod names seen, with the service each was read as (null: kept as written). */
  private readonly pods = new Map<string, string | null>();
  private unknownService = 0;
  private readonly unknownKinds = new Map<string, number>();
  private repeatedHeaders = 0;
  private rows = 0;
  private lastLine = 1;

  constructor(
    private readonly file: string,
    private readonly sink: SpanSink,
    private readonly options: CsvSpanOptions,
  ) {}

  /** Reads one row; false when the table cannot be read at all (the header is unusable). */
  read(record: string[], line: number): boolean {
    this.lastLine = line;
    if (this.header === null) return this.readHeader(record, line);
    this.rows++;
    const header = this.header;
    if (record.length === header.length && record.every((v, i) => v === header[i])) {
      this.repeatedHeaders++;
      return true;
    }
    if (record.length !== header.length) {
      const missing = record.length < header.length ? header[record.length]! : null;
      const reason = `the row has ${record.length} fields, the header ${header.length}` + (missing === null ? ' (an unquoted delimiter inside a value?)' : '');
      this.reject(line, missing, missing === null ? reason : `missing: ${reason}`);
      return true;
    }
    const span = this.toSpan(record, line);
    if (span !== null) this.sink.span(span);
    return true;
  }

  private readHeader(record: string[], line: number): boolean {
    const header = record.map((name) => name.trim());
    this.header = header;
    this.columns = mapColumns(header, this.options);
    const unnamed = CSV_ROLES.filter((role) => this.options.columns?.[role] !== undefined && this.columns[role] === undefined);
    const absent: string[] = (['trace', 'span', 'parent'] as const).filter((role) => this.columns[role] === undefined);
    if (this.columns.service === undefined && this.columns.pod === undefined) absent.push('service or pod');
    if (unnamed.length > 0 || absent.length > 0) {
      const named = unnamed.map((role) => `${role}=${this.options.columns?.[role]}`);
      const what = named.length > 0 ? `no column ${named.join(', ')} in the header` : `no ${absent.join(', ')} column`;
      this.reject(line, null, `${what}: the header has ${header.join(', ')}; name the columns with --csv-columns, e.g. trace=TraceID,span=SpanID,parent=ParentID,service=ServiceName`);
      return false;
    }
    const podNamed = this.options.columns?.pod !== undefined && this.options.columns.service === undefined;
    if (this.columns.service !== undefined && !podNamed) {
      // An explicit `service=PodName` is still a pod column: its names carry pod suffixes.
      this.isPodColumn = this.options.columns?.service !== undefined && normalize(header[this.columns.service]!).includes('pod');
    } else {
      this.columns.service = this.columns.pod;
      this.isPodColumn = true;
    }
    if (this.columns.status !== undefined) this.statusIsFlag = /error/.test(normalize(header[this.columns.status]!));
    this.timeUnit = this.options.startUnit ?? this.unitOfHeader();
    return true;
  }

  /** The unit a time column's header names (`StartTimeUnixNano`), or null. */
  private unitOfHeader(): TimeUnit | null {
    for (const role of ['start', 'end'] as const) {
      const i = this.columns[role];
      if (i === undefined) continue;
      const word = TIME_HEADER.exec(normalize(this.header![i]!))?.[5];
      if (word !== undefined) return UNIT_WORDS[word] ?? null;
    }
    return null;
  }

  private toSpan(record: readonly string[], line: number): Span | null {
    const cols = this.columns;
    const value = (role: CsvRole): string => (cols[role] === undefined ? '' : record[cols[role]]!.trim());
    const traceId = value('trace');
    if (traceId === '') return this.reject(line, this.nameOf('trace'), 'empty: every span needs a trace id');
    if (HEX.test(traceId) && ZEROS.test(traceId)) return this.reject(line, this.nameOf('trace'), 'all zeros (invalid id)');
    const spanId = value('span');
    if (spanId === '') return this.reject(line, this.nameOf('span'), 'empty: every span needs a span id');
    if (HEX.test(spanId) && ZEROS.test(spanId)) return this.reject(line, this.nameOf('span'), 'all zeros (invalid id)');
    const parent = value('parent');
    const parentSpanId = NO_PARENT.has(parent.toLowerCase()) || (HEX.test(parent) && ZEROS.test(parent)) ? null : readCsvId(parent);
    const startMs = readTime(value('start'), this.timeUnit, this.guessedUnits);
    if (typeof startMs === 'string') return this.reject(line, this.nameOf('start'), startMs);
    if (cols.end !== undefined) {
      const endMs = readTime(value('end'), this.timeUnit, this.guessedUnits);
      if (typeof endMs === 'string') return this.reject(line, this.nameOf('end'), endMs);
    }
    let kind: SpanKind | undefined;
    if (cols.kind !== undefined) {
      const read = readKind(value('kind'));
      if (read === null) this.unknownKinds.set(value('kind'), (this.unknownKinds.get(value('kind')) ?? 0) + 1);
      else kind = read;
    }
    return {
      traceId: readCsvId(traceId),
      spanId: readCsvId(spanId),
      parentSpanId,
      resource: this.resourceOf(value('service'), value('version'), value('environment')),
      kind,
      name: value('operation'),
      isError: cols.status !== undefined && isErrorValue(value('status'), this.statusIsFlag),
      startMs,
      attributes: NO_ATTRIBUTES,
      links: NO_LINKS,
    };
  }

  private resourceOf(name: string, version: string, environment: string): SpanResource {
    const key = `${name}\u0000${version}\u0000${environment}`;
    let resource = this.resources.get(key);
    if (resource === undefined) {
      let service = name;
      if (name === '') service = UNKNOWN_SERVICE;
      else if (this.isPodColumn) {
        let mapped = this.pods.get(name);
        if (mapped === undefined) this.pods.set(name, (mapped = serviceOfPod(name)));
        service = mapped ?? name;
      }
      resource = { service, version: version === '' ? null : version, environment: environment === '' ? null : environment };
      this.resources.set(key, resource);
    }
    if (name === '') this.unknownService++;
    return resource;
  }

  private nameOf(role: CsvRole): string {
    return this.header![this.columns[role]!]!;
  }

  private reject(line: number, field: string | null, reason: string): null {
    this.sink.reject({ file: this.file, line, field, reason });
    return null;
  }

  /** Warnings about what was read in a way the user may want to know. */
  finish(complete: boolean): void {
    const { sink, file } = this;
    if (complete && this.header !== null && this.rows === 0) this.reject(this.lastLine + 1, null, 'no rows after the header: no spans');
    if (this.pods.size > 0) {
      const mapped = [...this.pods].filter(([, service]) => service !== null);
      const services = new Set(mapped.map(([, service]) => service));
      const kept = this.pods.size - mapped.length;
      const example = mapped[0] === undefined ? '' : ` (${mapped[0][0]} -> ${mapped[0][1]})`;
      sink.warn(
        file,
        `${count(mapped.length, 'pod name')} read as ${count(services.size, 'service')} by removing Kubernetes ReplicaSet and pod suffixes${example}` +
          (kept > 0 ? `; ${count(kept, 'pod name')} without such suffixes kept as written (map them with aliases in the config file)` : ''),
      );
    }
    if (this.guessedUnits.size > 0) {
      const units = [...this.guessedUnits].map((u) => ({ s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds' })[u]);
      sink.warn(file, `span times read as Unix ${units.join(' and ')} by their number of digits (set start-unit in --csv-columns if they are not)`);
    }
    if (this.unknownService > 0) sink.warn(file, `rows with an empty service: their spans count as ${UNKNOWN_SERVICE}`, this.unknownService);
    for (const [kind, count] of this.unknownKinds) sink.warn(file, `span kind ${JSON.stringify(kind)} not recognised: read as unspecified`, count);
    if (this.repeatedHeaders > 0) sink.warn(file, 'repeated header rows skipped (concatenated CSV files?)', this.repeatedHeaders);
  }
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
