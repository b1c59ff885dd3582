/**
 * What the fixture generators (scripts/generate-demo.mjs, scripts/generate-scenarios.mjs) share:
 * a seeded PRNG, trace and span ids, OTLP/JSON attribute, resource and span builders, and the
 * way the OpenTelemetry Collector file exporter batches spans into JSON Lines.
 *
 * Plain ESM, no dependencies. Everything here is deterministic: no clock, no platform randomness,
 * integer-exact arithmetic only (no Math.log/sin, whose last bits may differ between engines).
 * A change here changes the bytes of both fixture sets; re-run both scripts and diff.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, for the scripts' output directories and the paths they print. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// Times are integer nanoseconds relative to the start of the day (fits a double exactly).
/** One millisecond in nanoseconds. */
export const MS = 1_000_000;
/** One second in nanoseconds. */
export const SEC = 1_000 * MS;
/** One minute in nanoseconds. */
export const MIN = 60 * SEC;
/** One hour in nanoseconds. */
export const HOUR = 60 * MIN;

/** OTLP SpanKind values. */
export const KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };
/** OTLP StatusCode ERROR. */
export const STATUS_ERROR = 2;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a hash of a string, to derive a PRNG seed from a name. */
export function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Seeded PRNG (mulberry32) with the draws the generators need. */
export class Rng {
  constructor(seed) {
    this.next = mulberry32(seed);
  }
  /** Float in [0, 1). */
  float() {
    return this.next();
  }
  /** True with probability p. */
  chance(p) {
    return this.next() < p;
  }
  /** Integer in [lo, hi]. */
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** One element of `list`. */
  pick(list) {
    return list[Math.floor(this.next() * list.length)];
  }
  /** n lowercase hex digits. */
  hex(n) {
    let s = '';
    while (s.length < n) s += Math.floor(this.next() * 0x100000000).toString(16).padStart(8, '0');
    return s.slice(0, n);
  }
  /** n base-36 characters (0-9, a-z). */
  b36(n) {
    let s = '';
    while (s.length < n) s += '0123456789abcdefghijklmnopqrstuvwxyz'[Math.floor(this.next() * 36)];
    return s;
  }
  /** A duration in ns, triangular between lo and hi milliseconds (sub-microsecond noise kept). */
  ms(lo, hi) {
    return Math.round((lo + ((hi - lo) * (this.next() + this.next())) / 2) * MS);
  }
  /** A shuffled copy of `list` (Fisher-Yates). */
  shuffle(list) {
    const a = [...list];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
}

// ---------------------------------------------------------------------------------------------
// OTLP KeyValue builders

/** An OTLP string attribute. */
export const str = (key, value) => ({ key, value: { stringValue: String(value) } });
/** An OTLP int attribute (intValue as a decimal string, as OTLP/JSON writes it). */
export const int = (key, value) => ({ key, value: { intValue: String(value) } });

// ---------------------------------------------------------------------------------------------
// Resources (one per pod)

const resourceCache = new Map();

/**
 * The resource of one pod, built once per `key` by `build(rng)` with a PRNG seeded by the key,
 * so it is the same on every day the pod runs.
 */
export function podResource(key, build) {
  let res = resourceCache.get(key);
  if (!res) {
    res = { key, ...build(new Rng(fnv1a(key))) };
    resourceCache.set(key, res);
  }
  return res;
}

/**
 * A pod's resource attributes: service name and version, a UUID-shaped service.instance.id
 * drawn from `rng`, the environment (also under the deprecated key when `oldEnvKey`), the SDK language.
 */
export function resourceAttributes(rng, service, version, lang, { oldEnvKey = false } = {}) {
  const u = rng.hex(32);
  const attributes = [
    str('service.name', service),
    str('service.version', version),
    str('service.instance.id', `${u.slice(0, 8)}-${u.slice(8, 12)}-4${u.slice(13, 16)}-a${u.slice(17, 20)}-${u.slice(20)}`),
    str('deployment.environment.name', 'production'),
  ];
  if (oldEnvKey) attributes.push(str('deployment.environment', 'production'));
  attributes.push(str('telemetry.sdk.language', lang));
  return attributes;
}

// ---------------------------------------------------------------------------------------------
// Days, traces, spans

function uniqueHex(rng, n, seen) {
  for (;;) {
    const id = rng.hex(n);
    if (!seen.has(id) && !/^0+$/.test(id)) {
      seen.add(id);
      return id;
    }
  }
}

/** One generated day (base class): its PRNG, its midnight in Unix ns, its spans and the ids handed out. */
export class FixtureDay {
  /** `date` is [year, month (0-based), day], UTC. */
  constructor(seed, date) {
    this.rng = new Rng(seed);
    this.baseNs = BigInt(Date.UTC(...date)) * 1_000_000n;
    this.spans = [];
    this.traceIds = new Set();
    this.spanIds = new Set();
  }
  newTraceId() {
    return uniqueHex(this.rng, 32, this.traceIds);
  }
  newSpanId() {
    return uniqueHex(this.rng, 16, this.spanIds);
  }
}

/**
 * One trace (base class): a fresh trace id, and one pod per service it touches, chosen by the
 * subclass's `pickPod(service)` the first time the service appears.
 */
export class FixtureTrace {
  constructor(day, t0) {
    this.day = day;
    this.rng = day.rng;
    this.id = day.newTraceId();
    this.t0 = t0;
    this.pods = new Map();
  }
  resource(service) {
    let res = this.pods.get(service);
    if (!res) {
      res = this.pickPod(service);
      this.pods.set(service, res);
    }
    return res;
  }
  /** A span of `service` under instrumentation scope `scope` (a key of the resource's scopes). */
  span(service, scope, parent, kind, name, start, attributes = []) {
    const res = this.resource(service);
    if (!res.scopes[scope]) throw new Error(`no scope ${scope} for ${service}`);
    const sp = {
      res,
      scope: res.scopes[scope],
      traceId: this.id,
      spanId: this.day.newSpanId(),
      parentSpanId: parent ? parent.spanId : null,
      parentRemote: parent ? parent.res.service !== service : null,
      name,
      kind,
      start,
      end: start,
      attributes,
      status: null,
      events: [],
      links: [],
    };
    this.day.spans.push(sp);
    return sp;
  }
}

/** Marks a span failed (status ERROR, with `message` if given) and records `exception` as an event if given. */
export function fail(sp, message, exception) {
  sp.status = message ? { message, code: STATUS_ERROR } : { code: STATUS_ERROR };
  if (exception) {
    sp.events.push({
      time: sp.end - 40_000,
      name: 'exception',
      attributes: [str('exception.type', exception.type), str('exception.message', exception.message)],
    });
  }
}

/** HTTP CLIENT span attributes in the current semantic conventions (error.type from 400 on). */
export function httpClientAttributes(method, url, status) {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const a = [
    str('http.request.method', method), str('url.full', url), str('server.address', u.hostname),
    int('server.port', port), int('http.response.status_code', status),
  ];
  if (status >= 400) a.push(str('error.type', String(status)));
  return a;
}

// ---------------------------------------------------------------------------------------------
// Export, the way the Collector file exporter writes it

/**
 * The JSON Lines the Collector file exporter would write for `spans` of `day`. Each pod's
 * BatchSpanProcessor flushes every 5 s (at its resource's `exportPhase`); the Collector's batch
 * processor (timeout 5 s, windows starting at `windowPhase`) turns what arrived in a window into
 * one TracesData line, grouped by resource and scope in arrival order. So one trace's spans spread
 * over lines, and a child that ended earlier, in a pod that flushed earlier, often sits on a line
 * before its parent's. `emptyParentOnRoots` writes `parentSpanId: ""` on roots, as some SDKs do.
 */
export function exportLines(day, spans, { windowPhase, emptyParentOnRoots = false }) {
  const rng = day.rng;
  const tick = 5 * SEC;
  const window = 5 * SEC;
  const arrivals = spans.map((sp, i) => {
    const phase = sp.res.exportPhase;
    const flush = Math.ceil((sp.end - phase + 1) / tick) * tick + phase;
    return { sp, i, at: flush + rng.ms(1, 40) };
  });
  arrivals.sort((a, b) => a.at - b.at || a.sp.end - b.sp.end || a.i - b.i);
  const lines = [];
  let current = null;
  for (const a of arrivals) {
    const w = Math.floor((a.at - windowPhase) / window);
    if (!current || current.w !== w) {
      current = { w, spans: [] };
      lines.push(current);
    }
    current.spans.push(a.sp);
  }
  return lines.map((line) => serializeLine(day.baseNs, line.spans, emptyParentOnRoots));
}

function nanos(baseNs, t) {
  return (baseNs + BigInt(t)).toString();
}

/** The span `flags` as the SDKs fill it: Go and Java set has-is-remote (and is-remote), others nothing. */
function spanFlags(sp) {
  if (!sp.res.flags) return undefined;
  const remote = sp.parentRemote === true;
  if (sp.res.flags === 'go') return remote ? 0x300 : 0x100;
  return remote ? 0x301 : 0x101; // java: trace flags (sampled) + has-is-remote (+ is-remote)
}

function serializeSpan(baseNs, sp, emptyParentOnRoots) {
  const o = { traceId: sp.traceId, spanId: sp.spanId };
  if (sp.parentSpanId) o.parentSpanId = sp.parentSpanId;
  else if (emptyParentOnRoots) o.parentSpanId = '';
  const flags = spanFlags(sp);
  if (flags !== undefined) o.flags = flags;
  o.name = sp.name;
  o.kind = sp.kind;
  o.startTimeUnixNano = nanos(baseNs, sp.start);
  o.endTimeUnixNano = nanos(baseNs, sp.end);
  o.attributes = sp.attributes;
  if (sp.events.length) {
    o.events = sp.events.map((e) => ({ timeUnixNano: nanos(baseNs, e.time), name: e.name, attributes: e.attributes }));
  }
  if (sp.links.length) {
    o.links = sp.links.map((l) => {
      const link = { traceId: l.traceId, spanId: l.spanId };
      if (sp.res.flags === 'java') link.flags = 0x301;
      return link;
    });
  }
  o.status = sp.status ?? {};
  return o;
}

function serializeLine(baseNs, spans, emptyParentOnRoots) {
  const byResource = new Map();
  for (const sp of spans) {
    let r = byResource.get(sp.res.key);
    if (!r) {
      r = { res: sp.res, scopes: new Map() };
      byResource.set(sp.res.key, r);
    }
    const scopeKey = sp.scope.join('@');
    let s = r.scopes.get(scopeKey);
    if (!s) {
      s = { scope: sp.scope, spans: [] };
      r.scopes.set(scopeKey, s);
    }
    s.spans.push(sp);
  }
  const resourceSpans = [];
  for (const r of byResource.values()) {
    const scopeSpans = [];
    for (const s of r.scopes.values()) {
      const scope = { name: s.scope[0] };
      if (s.scope[1]) scope.version = s.scope[1];
      const entry = { scope, spans: s.spans.map((sp) => serializeSpan(baseNs, sp, emptyParentOnRoots)) };
      if (r.res.schemaUrl) entry.schemaUrl = r.res.schemaUrl;
      scopeSpans.push(entry);
    }
    const rs = { resource: { attributes: r.res.attributes }, scopeSpans };
    if (r.res.schemaUrl) rs.schemaUrl = r.res.schemaUrl;
    resourceSpans.push(rs);
  }
  return JSON.stringify({ resourceSpans });
}
