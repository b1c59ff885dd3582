#!/usr/bin/env node
/**
 * Seeded generator of realistic OTLP/JSON Lines traces for the benchmark, with its own ground truth.
 *
 *   node bench/generate.mjs --out F [--size 100MB] [--spans-per-line 512] [--seed 1]
 *                           [--services 43] [--mode traffic|cover] [--passes 2]
 *                           [--day 0 --days 1] [--lean]
 *
 * What it writes (streaming: never more than one line and the spans still buffered in the pods):
 *
 * - F: JSON Lines, one `{"resourceSpans":[...]}` per line, spans grouped by resource (pod) and
 *   instrumentation scope, the way the Collector's file exporter writes them behind a batch
 *   processor with `send_batch_size` = --spans-per-line. Each pod's BatchSpanProcessor queues its
 *   finished spans and flushes every 5 s at its own phase, so pods flush in a rotating order:
 *   the spans of one trace spread over several lines, and a child (which ends first, often in a
 *   pod that flushes earlier) is often written before its parent. Traces last at most a couple of
 *   seconds, so all spans of a trace sit within about two flush ticks (~8,500 spans, ~3 lines of
 *   8,192 spans): well inside any pairing window of 100,000 spans.
 * - F.truth.json: the edges CONTRACT §2 derives from exactly what was written, computed from the
 *   generator's own knowledge of the calls it made (never by parsing F): { from, to, type, calls,
 *   errors, rule }, plus counts (spans, traces, lines, bytes, self-calls).
 *
 * Topology (seeded): 3 entry services (root SERVER spans, browser user agents) above ~40 internal
 * services in layers (each layer calls only deeper ones, over HTTP or gRPC, CLIENT -> SERVER,
 * often through an INTERNAL span), databases (postgresql, mongodb, redis; reads and writes;
 * db.system.name + db.namespace + db.query.text / db.operation.name, or the old db.system +
 * db.name + db.statement for services on old SDKs), Kafka topics (PRODUCER -> CONSUMER children
 * in worker services, one per consumer group; a topic nobody consumes; a feed produced outside,
 * whose root CONSUMER names its queue), third-party APIs (CLIENT spans with server.address and
 * url.full, or url.full alone; GET and POST), a few self-calls, errors (status code 2, with
 * exception events), service versions rolling out mid-file.
 *
 * Modes: `traffic` (default) draws requests at the entry points and expands them down the
 * layers; `cover` (for history and large graphs) exercises every operation of every service
 * once per pass with its direct callees as leaves, so every edge of a large topology appears.
 * --day D --days N: this file is day D of N (timestamps on that UTC day; versions roll out over
 * the N days). --lean drops the attributes rollgraph never reads (smaller files, same edges).
 *
 * Deterministic: mulberry32 seeded by --seed, no clock, integer arithmetic for times.
 */
import { closeSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { KIND, MS, SEC, Rng as FixtureRng } from '../scripts/lib/otlp-fixtures.mjs';

/** Bumped whenever the bytes written for given options change (the runner's cache key). */
export const GENERATOR_VERSION = 3;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness: the fixtures' seeded generator, plus non-zero ids.

class Rng extends FixtureRng {
  /** A non-zero id of n hex digits. */
  id(n) {
    for (;;) {
      const s = this.hex(n);
      if (!/^0+$/.test(s)) return s;
    }
  }
}

const TICK = 5 * SEC; // BatchSpanProcessor schedule delay
const DAY_S = 86_400;
const BASE_S = Date.UTC(2026, 10, 1) / 1000; // 2026-11-01T00:00:00Z

// ---------------------------------------------------------------------------------------------
// OTLP/JSON fragments (pre-serialized strings; JSON.stringify escapes the values)

const sv = (key, value) => `{"key":"${key}","value":{"stringValue":${JSON.stringify(String(value))}}}`;
const iv = (key, value) => `{"key":"${key}","value":{"intValue":"${value}"}}`;
const bv = (key, value) => `{"key":"${key}","value":{"boolValue":${value ? 'true' : 'false'}}}`;

// ---------------------------------------------------------------------------------------------
// Vocabulary

const INTERNAL_NAMES = [
  'catalog', 'pricing', 'cart', 'checkout', 'orders', 'payments', 'inventory', 'shipping', 'accounts', 'auth',
  'search', 'recommendations', 'reviews', 'notifications', 'email', 'sms', 'fraud-check', 'tax', 'currency', 'loyalty',
  'coupons', 'media', 'cms', 'geo', 'warehouse', 'fulfillment', 'returns', 'invoicing', 'ledger', 'audit',
  'feature-flags', 'sessions', 'profile', 'wishlist', 'ads', 'identity', 'consent', 'support', 'labels', 'quotes',
];
const ENTRY_NAMES = ['web-bff', 'mobile-bff', 'partner-api'];
const TOPIC_NAMES = [
  'orders.placed', 'payments.completed', 'inventory.reserved', 'shipments.created', 'notifications.requested',
  'audit.events', 'search.reindex', 'returns.opened', 'invoices.issued', 'loyalty.points',
];
const EXTERNALS = [
  { host: 'api.stripe.com', calls: [['POST', '/v1/payment_intents'], ['GET', '/v1/customers/{id}'], ['POST', '/v1/refunds']] },
  { host: 'api.sendgrid.com', calls: [['POST', '/v3/mail/send']] },
  { host: 'api.twilio.com', calls: [['POST', '/2010-04-01/Accounts/{sid}/Messages.json']] },
  { host: 'maps.googleapis.com', calls: [['GET', '/maps/api/geocode/json'], ['GET', '/maps/api/distancematrix/json']], urlOnly: true },
  { host: 'api.exchangerate.host', calls: [['GET', '/latest']] },
  { host: 'hooks.slack.com', calls: [['POST', '/services/{token}']] },
  { host: 'onlinetools.ups.com', calls: [['POST', '/api/shipments/v1/ship'], ['GET', '/api/track/v1/details/{id}']] },
  { host: 'api.avalara.com', calls: [['POST', '/api/v2/transactions/create']], urlOnly: true },
];
const BROWSER_UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'ShopApp/7.4.1 (Android 15; Pixel 9) okhttp/4.12.0',
];

/** Per language: SDK, runtime, instrumentation scopes, HTTP client user agent, semconv generation. */
const LANGS = {
  java: {
    sdk: '1.44.1', runtime: ['java', '21.0.5'], semconv: 'current', flags: 'java', ua: 'Java-http-client/21.0.5',
    scopes: {
      server: ['io.opentelemetry.tomcat-10.0', '2.10.0-alpha'], client: ['io.opentelemetry.java-http-client', '2.10.0-alpha'],
      grpc: ['io.opentelemetry.grpc-1.6', '2.10.0-alpha'], db: ['io.opentelemetry.jdbc', '2.10.0-alpha'],
      redis: ['io.opentelemetry.lettuce-5.1', '2.10.0-alpha'], mongo: ['io.opentelemetry.mongo-3.1', '2.10.0-alpha'],
      kafka: ['io.opentelemetry.kafka-clients-2.6', '2.10.0-alpha'], app: ['io.opentelemetry.opentelemetry-instrumentation-annotations-1.16', '2.10.0-alpha'],
    },
  },
  go: {
    sdk: '1.33.0', runtime: ['go', 'go1.23.4'], semconv: 'current', flags: 'go', ua: 'Go-http-client/1.1',
    scopes: {
      server: ['go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp', '0.58.0'], client: ['go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp', '0.58.0'],
      grpc: ['go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc', '0.58.0'], db: ['github.com/exaring/otelpgx', '0.8.0'],
      redis: ['github.com/redis/go-redis/extra/redisotel', '9.7.0'], mongo: ['go.mongodb.org/mongo-driver/mongo/otelmongo', '0.58.0'],
      kafka: ['github.com/IBM/sarama/otelsarama', '0.58.0'], app: ['github.com/acme-shop/app/internal/service', ''],
    },
  },
  nodejs: {
    sdk: '1.30.0', runtime: ['nodejs', '22.12.0'], semconv: 'current', flags: null, ua: 'undici',
    scopes: {
      server: ['@opentelemetry/instrumentation-http', '0.57.0'], client: ['@opentelemetry/instrumentation-undici', '0.10.0'],
      grpc: ['@opentelemetry/instrumentation-grpc', '0.57.0'], db: ['@opentelemetry/instrumentation-pg', '0.50.0'],
      redis: ['@opentelemetry/instrumentation-ioredis', '0.46.0'], mongo: ['@opentelemetry/instrumentation-mongodb', '0.50.0'],
      kafka: ['@opentelemetry/instrumentation-kafkajs', '0.6.0'], app: ['app', ''],
    },
  },
  python: {
    sdk: '1.22.0', runtime: ['cpython', '3.11.9'], semconv: 'old', flags: null, ua: 'python-requests/2.31.0', emptyParent: true,
    scopes: {
      server: ['opentelemetry.instrumentation.flask', '0.43b0'], client: ['opentelemetry.instrumentation.requests', '0.43b0'],
      grpc: ['opentelemetry.instrumentation.grpc', '0.43b0'], db: ['opentelemetry.instrumentation.psycopg2', '0.43b0'],
      redis: ['opentelemetry.instrumentation.redis', '0.43b0'], mongo: ['opentelemetry.instrumentation.pymongo', '0.43b0'],
      kafka: ['opentelemetry.instrumentation.confluent_kafka', '0.43b0'], app: ['app.handlers', ''],
    },
  },
  dotnet: {
    sdk: '1.10.0', runtime: ['dotnet', '9.0.0'], semconv: 'current', flags: null, ua: null,
    scopes: {
      server: ['Microsoft.AspNetCore', ''], client: ['System.Net.Http', ''],
      grpc: ['Grpc.Net.Client', ''], db: ['Npgsql', '9.0.2'],
      redis: ['OpenTelemetry.Instrumentation.StackExchangeRedis', '1.10.0-beta.1'], mongo: ['MongoDB.Driver.Core.Extensions.DiagnosticSources', '1.5.0'],
      kafka: ['Confluent.Kafka.Extensions.OpenTelemetry', '0.4.0'], app: ['Acme.Shop', ''],
    },
  },
};
const LANG_NAMES = ['java', 'java', 'go', 'go', 'nodejs', 'python', 'dotnet'];

const cap = (s) => s.replace(/(^|[-.])(\w)/g, (_, __, c) => c.toUpperCase());

// ---------------------------------------------------------------------------------------------
// Topology

/**
 * Builds the services, their operations and what each operation does. `opts`:
 * services (total, 3 of them entry points), ops/calls ranges, rollouts (version changes per
 * service over the whole timeline, in timeline units [0, 1]).
 */
export function buildTopology(seed, opts) {
  const rng = new Rng(seed ^ 0x5eed);
  const total = opts.services;
  const nInternal = total - ENTRY_NAMES.length;
  const layers = nInternal <= 60 ? 3 : Math.max(4, Math.round(Math.log2(nInternal) / 1.5));
  const services = [];
  const byName = new Map();
  const mk = (name, layer, kind) => {
    const lang = rng.pick(LANG_NAMES);
    const s = {
      name, layer, kind, lang, conf: LANGS[lang], grpc: kind === 'http' && rng.chance(0.3),
      ops: [], dbs: [], handlers: [], versions: [], rollouts: [], pods: [], index: services.length,
    };
    services.push(s);
    byName.set(name, s);
    return s;
  };
  for (const name of ENTRY_NAMES) mk(name, 0, 'entry');
  for (let i = 0; i < nInternal; i++) {
    const base = INTERNAL_NAMES[i % INTERNAL_NAMES.length];
    const name = nInternal <= INTERNAL_NAMES.length ? base : `${base}-${Math.floor(i / INTERNAL_NAMES.length) + 1}`;
    // Layers 1..L, the deepest a little larger.
    const layer = 1 + Math.min(layers - 1, Math.floor((i / nInternal) * (layers + 0.5)));
    const worker = layer >= 2 && rng.chance(0.12);
    mk(name, layer, worker ? 'worker' : 'http');
  }
  const byLayer = [];
  for (const s of services) (byLayer[s.layer] ??= []).push(s);
  const callable = services.filter((s) => s.kind === 'http');

  // Versions and rollouts.
  for (const s of services) {
    let [maj, min, patch] = [rng.int(1, 4), rng.int(0, 20), rng.int(0, 9)];
    s.versions.push(`${maj}.${min}.${patch}`);
    const n = opts.rollouts(rng);
    const points = [];
    for (let i = 0; i < n; i++) points.push(opts.rolloutAt(rng));
    points.sort((a, b) => a - b);
    for (const at of points) {
      if (rng.chance(0.7)) patch++;
      else { min++; patch = 0; }
      s.versions.push(`${maj}.${min}.${patch}`);
      s.rollouts.push({ from: at, to: at + opts.rolloutWidth });
    }
  }

  // Databases.
  const redisClusters = Array.from({ length: Math.max(2, Math.round(nInternal / 15)) }, (_, i) => `redis-${i + 1}.cache.svc.cluster.local`);
  for (const s of services) {
    if (s.kind === 'entry') continue;
    const ns = s.name.replace(/-/g, '_');
    if (rng.chance(0.5)) s.dbs.push({ system: 'postgresql', namespace: ns, address: `${s.name}-db.postgres.svc.cluster.local`, port: 5432, table: `${ns}_items` });
    if (rng.chance(0.15)) s.dbs.push({ system: 'mongodb', namespace: ns, address: `mongo-${rng.int(1, 3)}.mongo.svc.cluster.local`, port: 27017, table: `${ns}s` });
    if (rng.chance(0.35)) {
      const withNs = rng.chance(0.3);
      s.dbs.push({ system: 'redis', namespace: withNs ? String(rng.int(0, 3)) : null, address: rng.pick(redisClusters), port: 6379, table: null });
    }
  }
  for (const s of services) {
    for (const d of s.dbs) {
      d.node = `${d.system}:${d.namespace ?? d.address}`;
      d.ip = `10.${rng.int(40, 45)}.${rng.int(0, 255)}.${rng.int(2, 250)}`;
    }
  }

  // Topics: consumers (workers) first, producers must sit in shallower layers than every consumer.
  const workers = services.filter((s) => s.kind === 'worker');
  const nTopics = Math.max(TOPIC_NAMES.length, Math.round(nInternal / 6));
  const topics = [];
  for (let i = 0; i < nTopics; i++) {
    const name = i < TOPIC_NAMES.length ? TOPIC_NAMES[i] : `${rng.pick(INTERNAL_NAMES)}.events-${i}`;
    const t = { name, node: `kafka:${name}`, consumers: [], feed: false, producers: [], partitions: rng.int(3, 24) };
    if (name !== 'audit.events' && workers.length > 0) {
      const k = rng.chance(0.3) ? 2 : 1;
      for (let j = 0; j < k; j++) {
        const w = rng.pick(workers);
        if (!t.consumers.includes(w)) t.consumers.push(w);
      }
    }
    topics.push(t);
  }
  // One feed produced outside the traced fleet: its consumer's CONSUMER span is a root (R5).
  if (workers.length > 0) {
    const feed = { name: 'inventory.feed', node: 'kafka:inventory.feed', consumers: [rng.pick(workers)], feed: true, producers: [], partitions: 6 };
    topics.push(feed);
  }
  const consumable = topics.filter((t) => !t.feed && t.name !== 'audit.events');
  for (const w of workers) if (!topics.some((t) => t.consumers.includes(w))) rng.pick(consumable).consumers.push(w);

  // Third parties, owned by a few services.
  const externals = EXTERNALS.map((e) => ({ ...e }));
  const owners = callable.filter((s) => s.layer >= 1);
  for (const s of services) s.externals = [];
  for (const e of externals) {
    const k = rng.chance(0.4) ? 2 : 1;
    for (let i = 0; i < k; i++) {
      const o = rng.pick(owners);
      if (!o.externals.includes(e)) o.externals.push(e);
    }
  }

  const deeperByLayer = [];
  const nextByLayer = [];
  const producibleByLayer = [];
  for (let l = 0; l <= layers; l++) {
    deeperByLayer[l] = callable.filter((c) => c.layer > l);
    nextByLayer[l] = callable.filter((c) => c.layer === l + 1);
  }
  const producible = (l) => (producibleByLayer[l] ??= topics.filter((t) => !t.feed && t.consumers.every((w) => w.layer > l)));
  const pickCallee = (s) => {
    const deeper = deeperByLayer[s.layer];
    if (deeper.length === 0) return null;
    const next = nextByLayer[s.layer];
    if (next.length > 0 && rng.chance(0.6)) return rng.pick(next);
    return rng.pick(deeper);
  };
  const P_CALL = [1, 1, 1, 0.9, 0.6, 0.3, 0.1, 0.02];
  const makeSteps = (s, write, opIndex) => {
    const steps = [];
    const [clo, chi] = s.kind === 'entry' ? opts.entryCalls : opts.calls;
    const nCalls = s.layer >= layers ? 0 : rng.int(clo, chi);
    for (let i = 0; i < nCalls; i++) {
      const c = pickCallee(s);
      if (c) steps.push({ t: 'call', svc: c, op: null, p: rng.pick(P_CALL) });
    }
    for (const d of s.dbs) {
      if (!rng.chance(0.75)) continue;
      steps.push({ t: 'db', db: d, write: write && rng.chance(0.8), p: rng.pick([1, 1, 0.8, 0.5]), n: d.system === 'redis' ? [1, 3] : [1, 2] });
    }
    if (s.externals.length > 0 && rng.chance(0.5)) {
      const e = rng.pick(s.externals);
      const [method, path] = rng.pick(e.calls);
      steps.push({ t: 'ext', ext: e, method, path, p: rng.pick([1, 0.5, 0.2]) });
    }
    if (s.kind !== 'worker') {
      const eligible = producible(s.layer);
      if (eligible.length > 0 && rng.chance(write ? 0.25 : 0.04)) {
        const t = rng.pick(eligible);
        t.producers.push(s);
        steps.push({ t: 'produce', topic: t, p: rng.pick([1, 0.5, 0.1]) });
      }
    } else if (rng.chance(0.1)) {
      const audit = topics.find((t) => t.name === 'audit.events');
      steps.push({ t: 'produce', topic: audit, p: 0.5 });
    }
    if (s.kind === 'http' && opIndex > 0 && rng.chance(0.04)) steps.push({ t: 'self', op: 0, p: 0.05 });
    // Shuffle a little: writes come after reads.
    return steps;
  };

  const VERBS = [['GET', false, '/{id}'], ['GET', false, ''], ['POST', true, ''], ['PUT', true, '/{id}'], ['DELETE', true, '/{id}'], ['PATCH', true, '/{id}']];
  for (const s of services) {
    if (s.kind === 'worker') continue;
    const [olo, ohi] = s.kind === 'entry' ? opts.entryOps : opts.ops;
    const nOps = rng.int(olo, ohi);
    const resources = [s.name.replace(/-\d+$/, '').replace(/-/g, '_')];
    for (let i = 0; i < nOps; i++) {
      const verb = i === 0 ? VERBS[0] : rng.pick(VERBS);
      const res = i < 2 ? resources[0] : rng.pick([resources[0], 'items', 'status', 'search', 'batch', 'summary', 'settings']);
      const op = { index: i, write: verb[1], minVersion: 0, weight: rng.pick([1, 1, 2, 4, 8]) };
      if (s.grpc) {
        const method = `${verb[1] ? rng.pick(['Create', 'Update', 'Delete']) : rng.pick(['Get', 'List', 'Batch'])}${cap(res)}${i}`;
        op.rpcService = `acme.${s.name.replace(/-/g, '')}.v1.${cap(s.name)}Service`;
        op.rpcMethod = method;
        op.name = `${op.rpcService}/${method}`;
      } else {
        op.method = verb[0];
        op.route = `/${s.kind === 'entry' ? 'api' : 'v1'}/${res}${i > 1 ? `/${i}` : ''}${verb[2]}`;
        op.name = `${op.method} ${op.route}`;
      }
      // An operation introduced by the service's second version (its callers use it only then).
      if (s.versions.length > 1 && i > 0 && rng.chance(0.2)) op.minVersion = 1;
      s.ops.push(op);
    }
  }
  // Steps once every service has its operations (calls pick a callee operation).
  for (const s of services) {
    for (const op of s.ops) op.steps = makeSteps(s, op.write, op.index);
  }
  for (const t of topics) {
    for (const w of t.consumers) w.handlers.push({ topic: t, steps: makeSteps(w, true, 0) });
  }
  for (const s of services) {
    for (const op of s.ops) {
      for (const st of op.steps) if (st.t === 'call') st.op = rng.pick(st.svc.ops);
    }
    for (const h of s.handlers) for (const st of h.steps) if (st.t === 'call') st.op = rng.pick(st.svc.ops);
  }

  // Pods: per service and version, 1-3 pods, each with its BatchSpanProcessor phase.
  for (const s of services) {
    const nPods = s.kind === 'entry' ? 3 : rng.int(1, 3);
    for (let v = 0; v < s.versions.length; v++) {
      const list = [];
      for (let p = 0; p < nPods; p++) list.push(makePod(rng, s, v, p, opts.lean));
      s.pods.push(list);
    }
  }
  const entries = services.filter((s) => s.kind === 'entry');
  return { services, byName, entries, topics, layers, workers };
}

function makePod(rng, s, v, p, lean) {
  const version = s.versions[v];
  const hash = rng.hex(10);
  const podName = `${s.name}-${hash.slice(0, 9)}-${rng.hex(5)}`;
  const u = rng.hex(32);
  const attrs = [
    sv('service.name', s.name), sv('service.version', version),
    sv('service.instance.id', `${u.slice(0, 8)}-${u.slice(8, 12)}-4${u.slice(13, 16)}-a${u.slice(17, 20)}-${u.slice(20)}`),
    sv('deployment.environment.name', 'production'),
  ];
  if (!lean) {
    attrs.push(
      sv('service.namespace', 'shop'), sv('host.name', podName), sv('k8s.pod.name', podName),
      sv('k8s.namespace.name', 'shop'), sv('k8s.deployment.name', s.name), sv('k8s.node.name', `ip-10-20-${rng.int(0, 15)}-${rng.int(2, 250)}.ec2.internal`),
      sv('container.id', rng.hex(64)), sv('os.type', 'linux'),
      sv('process.runtime.name', s.conf.runtime[0]), sv('process.runtime.version', s.conf.runtime[1]),
      sv('telemetry.sdk.name', 'opentelemetry'), sv('telemetry.sdk.language', s.lang), sv('telemetry.sdk.version', s.conf.sdk),
    );
  }
  const pod = {
    key: `${s.name}@${version}#${p}`, service: s, version, versionIndex: v,
    phase: rng.int(0, 4999) * MS,
    ip: `10.${rng.int(20, 30)}.${rng.int(0, 255)}.${rng.int(2, 250)}`,
    head: `{"resource":{"attributes":[${attrs.join(',')}]},"scopeSpans":[`,
    tail: s.conf.semconv === 'old' ? '],"schemaUrl":"https://opentelemetry.io/schemas/1.11.0"}' : '],"schemaUrl":"https://opentelemetry.io/schemas/1.26.0"}',
    scopes: {},
    buffer: [],
  };
  for (const [k, [name, ver]] of Object.entries(s.conf.scopes)) {
    pod.scopes[k] = ver ? `{"scope":{"name":"${name}","version":"${ver}"},"spans":[` : `{"scope":{"name":"${name}"},"spans":[`;
  }
  return pod;
}

// ---------------------------------------------------------------------------------------------
// Traces

/** Version index of service `s` at timeline position g in [0, 1] (rolling: a share of requests in the window). */
function versionAt(rng, s, g) {
  let v = 0;
  for (let i = 0; i < s.rollouts.length; i++) {
    const r = s.rollouts[i];
    if (g >= r.to) v = i + 1;
    else if (g >= r.from && rng.chance((g - r.from) / (r.to - r.from))) v = i + 1;
  }
  return v;
}

const STACK = (cls) =>
  `${cls}\n\tat com.acme.shop.web.Handler.handle(Handler.java:214)\n\tat com.acme.shop.web.Router.dispatch(Router.java:88)\n\tat org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:138)\n\tat org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:164)\n\tat java.base/java.lang.Thread.run(Thread.java:1583)`;

class TraceBuilder {
  constructor(gen, t0, g) {
    this.gen = gen;
    this.rng = gen.rng;
    this.lean = gen.lean;
    this.traceId = this.rng.id(32);
    this.t0 = t0;
    this.g = g;
    this.spans = [];
    this.pods = new Map();
  }
  pod(s) {
    let pod = this.pods.get(s);
    if (!pod) {
      const v = versionAt(this.rng, s, this.g);
      pod = this.rng.pick(s.pods[v]);
      this.pods.set(s, pod);
    }
    return pod;
  }
  span(s, scope, parent, kind, name, start, attrs) {
    const sp = {
      pod: this.pod(s), scope, traceId: this.traceId, spanId: this.rng.id(16), parent, kind, name,
      start, end: start, attrs, err: false, events: '', status: '{}', exit: null, entryCaller: null,
    };
    this.spans.push(sp);
    return sp;
  }
  fail(sp, message, exception) {
    sp.err = true;
    sp.status = `{"message":${JSON.stringify(message)},"code":2}`;
    if (exception && !this.lean) {
      sp.events = `,"events":[{"timeUnixNano":"@${sp.end - 35_000}","name":"exception","attributes":[${sv('exception.type', exception)},${sv('exception.message', message)},${sv('exception.stacktrace', STACK(exception))}]}]`;
    }
  }
  /** Extra attributes rollgraph does not read but real instrumentation writes. */
  filler(s, sp) {
    if (this.lean) return '';
    const c = s.conf;
    if (s.lang === 'java') return `,${sv('thread.name', `http-nio-8080-exec-${this.rng.int(1, 200)}`)},${iv('thread.id', this.rng.int(30, 400))}`;
    if (s.lang === 'go') return `,${sv('network.protocol.name', 'http')}`;
    if (c.semconv === 'old') return `,${sv('net.host.name', `${s.name}.shop.svc.cluster.local`)}`;
    return '';
  }

  /** A SERVER span of `s` serving `op`, its steps expanded when `expand`. Returns the span. */
  serve(s, op, parent, start, expand, depth) {
    const rng = this.rng;
    const pod = this.pod(s);
    const old = s.conf.semconv === 'old';
    const entry = s.kind === 'entry';
    let attrs;
    if (op.rpcMethod) {
      attrs = [sv('rpc.system', 'grpc'), sv('rpc.service', op.rpcService), sv('rpc.method', op.rpcMethod)];
      if (!this.lean) attrs.push(sv('server.address', s.name), iv('server.port', 50051), sv('network.peer.address', parent ? parent.pod.ip : '10.0.0.1'), iv('network.peer.port', rng.int(32768, 60999)), sv('network.type', 'ipv4'));
    } else {
      const path = op.route.replace('{id}', rng.hex(8)).replace('{sid}', 'AC' + rng.hex(8));
      if (old) {
        attrs = [sv('http.method', op.method), sv('http.route', op.route), sv('http.target', path)];
        if (!this.lean) attrs.push(sv('http.scheme', 'http'), sv('net.host.name', s.name), iv('net.host.port', 8080), sv('http.flavor', '1.1'), sv('net.peer.ip', parent ? parent.pod.ip : `203.0.113.${rng.int(1, 254)}`), sv('http.user_agent', entry ? rng.pick(BROWSER_UAS) : (parent?.pod.service.conf.ua ?? 'python-requests/2.31.0')));
      } else {
        attrs = [sv('http.request.method', op.method), sv('http.route', op.route), sv('url.path', path)];
        if (!this.lean) {
          attrs.push(sv('url.scheme', entry ? 'https' : 'http'), sv('server.address', entry ? `${s.name}.acme-shop.com` : s.name), iv('server.port', entry ? 443 : 8080), sv('network.protocol.version', entry ? '2' : '1.1'));
          attrs.push(sv('client.address', parent ? parent.pod.ip : `198.51.100.${rng.int(1, 254)}`), sv('network.peer.address', parent ? parent.pod.ip : `10.0.${rng.int(0, 3)}.${rng.int(2, 250)}`), iv('network.peer.port', rng.int(32768, 60999)));
          const ua = entry ? rng.pick(BROWSER_UAS) : parent?.pod.service.conf.ua;
          if (ua) attrs.push(sv('user_agent.original', ua));
          if (entry && rng.chance(0.5)) attrs.push(sv('url.query', `session=${rng.hex(16)}&locale=en-US`));
          if (entry || rng.chance(0.6)) attrs.push(sv('http.request.header.x-request-id', rng.hex(32)));
        }
      }
    }
    const sp = this.span(s, op.rpcMethod ? 'grpc' : 'server', parent, KIND.SERVER, op.name, start, attrs);
    const f = this.filler(s, sp);
    if (f) attrs.push(f.slice(1));
    let cursor = start + rng.ms(0.05, 0.6);
    let errored = false;
    if (expand) {
      let holder = sp;
      if (rng.chance(0.55)) {
        const fn = `${cap(s.name)}Service.${op.rpcMethod ?? `${op.method.toLowerCase()}${cap(op.route.split('/')[2] ?? 'root')}`}`;
        const ia = this.lean ? [] : [sv('code.function.name', `com.acme.shop.${s.name.replace(/-/g, '')}.${fn}`), sv('code.file.path', `src/main/java/com/acme/shop/${fn.split('.')[0]}.java`), iv('code.line.number', rng.int(20, 900))];
        holder = this.span(s, 'app', sp, KIND.INTERNAL, fn, cursor, ia);
        const f = this.filler(s, holder);
        if (f) ia.push(f.slice(1));
        cursor += rng.ms(0.02, 0.2);
      }
      const r = this.steps(s, op.steps, holder, cursor, depth, expand === 'leaves');
      cursor = r.end;
      errored = r.err;
      if (holder !== sp) {
        holder.end = cursor;
        if (errored && rng.chance(0.5)) this.fail(holder, 'downstream call failed', null);
        cursor += rng.ms(0.02, 0.3);
      }
    } else {
      cursor += rng.ms(0.5, 12);
    }
    sp.end = cursor + rng.ms(0.05, 0.8);
    const fails = (errored && rng.chance(0.6)) || rng.chance(0.004);
    if (!this.lean && !op.rpcMethod) sp.attrs.push(iv(old ? 'http.status_code' : 'http.response.status_code', fails ? 500 : op.method === 'POST' ? 201 : 200));
    if (op.rpcMethod && !this.lean) sp.attrs.push(iv('rpc.grpc.status_code', fails ? 13 : 0));
    if (fails) {
      if (!op.rpcMethod && !old) sp.attrs.push(sv('error.type', '500'));
      this.fail(sp, op.rpcMethod ? 'INTERNAL: unexpected error' : 'Internal Server Error', rng.chance(0.5) ? 'java.lang.IllegalStateException' : null);
    }
    return sp;
  }

  /** Runs `steps` of service s under span `holder` from `start`; returns { end, err }. */
  steps(s, steps, holder, start, depth, leaves) {
    const rng = this.rng;
    let cursor = start;
    let err = false;
    for (const st of steps) {
      if (!leaves && !rng.chance(st.p)) continue;
      if (st.t === 'call' || st.t === 'self') {
        const callee = st.t === 'self' ? s : st.svc;
        const op = st.t === 'self' ? s.ops[st.op] : st.op;
        const calleePod = this.pod(callee);
        if (op.minVersion > calleePod.versionIndex) continue; // the caller only uses it against the new version
        const c = this.client(s, callee, op, holder, cursor);
        const child = this.serve(callee, op, c, cursor + rng.ms(0.1, 0.6), st.t === 'call' && !leaves && depth < 12 ? 'full' : false, depth + 1);
        c.end = child.end + rng.ms(0.1, 0.6);
        if (child.err && rng.chance(0.9)) {
          this.fail(c, op.rpcMethod ? 'INTERNAL' : '500', null);
          if (!op.rpcMethod && !this.lean) c.attrs.push(sv('error.type', '500'));
        }
        err ||= c.err;
        cursor = c.end;
      } else if (st.t === 'db') {
        const n = rng.int(st.n[0], st.n[1]);
        for (let i = 0; i < n; i++) {
          const d = this.db(s, st.db, st.write && i === n - 1, holder, cursor);
          err ||= d.err;
          cursor = d.end;
        }
      } else if (st.t === 'ext') {
        const e = this.external(s, st, holder, cursor);
        err ||= e.err;
        cursor = e.end;
      } else if (st.t === 'produce') {
        const p = this.produce(s, st.topic, holder, cursor, depth, leaves);
        cursor = p.end;
      }
      cursor += rng.ms(0.02, 0.4);
    }
    return { end: cursor, err };
  }

  client(s, callee, op, parent, start) {
    const rng = this.rng;
    const old = s.conf.semconv === 'old';
    let attrs;
    if (op.rpcMethod) {
      attrs = [sv('rpc.system', 'grpc'), sv('rpc.service', op.rpcService), sv('rpc.method', op.rpcMethod), sv(old ? 'net.peer.name' : 'server.address', callee.name)];
      if (!this.lean) attrs.push(iv(old ? 'net.peer.port' : 'server.port', 50051));
      const sp = this.span(s, 'grpc', parent, KIND.CLIENT, op.name, start, attrs);
      if (callee === s) sp.exit = { name: s.name, type: 'sync' };
      return sp;
    }
    const path = op.route.replace('{id}', rng.hex(8));
    const url = `http://${callee.name}:8080${path}`;
    if (old) {
      attrs = [sv('http.method', op.method), sv('http.url', url), sv('net.peer.name', callee.name)];
      if (!this.lean) attrs.push(iv('net.peer.port', 8080), sv('http.flavor', '1.1'));
    } else {
      attrs = [sv('http.request.method', op.method), sv('url.full', url), sv('server.address', callee.name)];
      if (!this.lean) {
        attrs.push(iv('server.port', 8080), sv('url.scheme', 'http'), sv('url.template', op.route), sv('network.protocol.version', '1.1'));
        attrs.push(sv('network.peer.address', callee.pods[0][0].ip), iv('network.peer.port', 8080), iv('http.response.body.size', rng.int(120, 24_000)));
      }
    }
    const sp = this.span(s, 'client', parent, KIND.CLIENT, op.method, start, attrs);
    const f = this.filler(s, sp);
    if (f) sp.attrs.push(f.slice(1));
    // A CLIENT span to the service itself (a self-call) names its own service: R3 resolves it to
    // that service, and A -> A is no edge (R4).
    if (callee === s) sp.exit = { name: s.name, type: 'sync' };
    return sp;
  }

  db(s, d, write, parent, start) {
    const rng = this.rng;
    const old = s.conf.semconv === 'old';
    const attrs = [];
    let name;
    const sysKey = old ? 'db.system' : 'db.system.name';
    attrs.push(sv(sysKey, d.system));
    if (d.namespace !== null) attrs.push(sv(old ? 'db.name' : 'db.namespace', d.namespace));
    if (d.system === 'postgresql') {
      const id = rng.int(1, 9_999_999);
      const stmt = write
        ? rng.pick([
            `INSERT INTO ${d.table} (id, owner_id, payload, status, created_at) VALUES ($1, $2, $3, $4, now())`,
            `UPDATE ${d.table} SET status = $1, updated_at = now() WHERE id = $2`,
            `DELETE FROM ${d.table} WHERE id = $1 AND owner_id = $2`,
          ])
        : rng.pick([
            `SELECT id, owner_id, payload, status, created_at, updated_at FROM ${d.table} WHERE id = $1`,
            `SELECT count(*) FROM ${d.table} WHERE owner_id = $1 AND status = ANY($2)`,
            `/* ${s.name} */ SELECT t.id, t.payload FROM ${d.table} t JOIN ${d.table}_tags g ON g.item_id = t.id WHERE g.tag = $1 LIMIT 50`,
          ]);
      const verb = /(INSERT|UPDATE|DELETE|SELECT)/.exec(stmt)[1];
      attrs.push(sv(old ? 'db.statement' : 'db.query.text', stmt));
      if (!old && rng.chance(0.5)) attrs.push(sv('db.operation.name', verb));
      if (!this.lean) attrs.push(sv(old ? 'db.user' : 'db.collection.name', old ? `${d.namespace}_app` : d.table));
      name = `${verb} ${d.namespace}.${d.table}`;
      if (!this.lean && id % 7 === 0) attrs.push(iv('db.response.returned_rows', id % 50));
    } else if (d.system === 'mongodb') {
      const verb = write ? rng.pick(['insert', 'update', 'delete', 'findAndModify']) : rng.pick(['find', 'aggregate', 'count']);
      attrs.push(sv(old ? 'db.operation' : 'db.operation.name', verb), sv(old ? 'db.mongodb.collection' : 'db.collection.name', d.table));
      if (!this.lean) attrs.push(sv(old ? 'db.statement' : 'db.query.text', `{"${verb}":"${d.table}","filter":{"_id":"?"},"$db":"${d.namespace}"}`));
      name = `${verb} ${d.table}`;
    } else {
      const verb = write ? rng.pick(['SET', 'HSET', 'DEL', 'EXPIRE', 'INCR']) : rng.pick(['GET', 'HGETALL', 'MGET', 'EXISTS']);
      attrs.push(sv(old ? 'db.operation' : 'db.operation.name', verb));
      if (!this.lean) attrs.push(sv(old ? 'db.statement' : 'db.query.text', `${verb} ${s.name}:${rng.hex(12)}${write ? ' ?' : ''}`));
      name = verb;
    }
    attrs.push(sv(old ? 'net.peer.name' : 'server.address', d.address));
    if (!this.lean) {
      attrs.push(iv(old ? 'net.peer.port' : 'server.port', d.port), sv(old ? 'net.sock.peer.addr' : 'network.peer.address', d.ip), iv(old ? 'net.sock.peer.port' : 'network.peer.port', d.port));
      if (s.lang === 'java' && !old) attrs.push(sv('db.client.connection.pool.name', `HikariPool-${d.system}-1`));
    }
    const scope = d.system === 'postgresql' ? 'db' : d.system === 'mongodb' ? 'mongo' : 'redis';
    const sp = this.span(s, scope, parent, KIND.CLIENT, name, start, attrs);
    const f = this.filler(s, sp);
    if (f) sp.attrs.push(f.slice(1));
    sp.end = start + (d.system === 'redis' ? rng.ms(0.1, 2) : rng.ms(0.4, write ? 15 : 9));
    sp.exit = { name: d.node, type: 'database' };
    if (rng.chance(0.002)) this.fail(sp, d.system === 'postgresql' ? 'ERROR: deadlock detected (SQLSTATE 40P01)' : 'connection reset by peer', rng.chance(0.5) ? 'org.postgresql.util.PSQLException' : null);
    return sp;
  }

  external(s, st, parent, start) {
    const rng = this.rng;
    const old = s.conf.semconv === 'old';
    const e = st.ext;
    const path = st.path.replace('{id}', `cus_${rng.hex(14)}`).replace('{sid}', `AC${rng.hex(32)}`).replace('{token}', `T0${rng.hex(8)}/B0${rng.hex(8)}/${rng.hex(24)}`);
    const url = `https://${e.host}${path}${st.method === 'GET' && rng.chance(0.5) ? `?key=${rng.hex(20)}` : ''}`;
    const attrs = [sv(old ? 'http.method' : 'http.request.method', st.method), sv(old ? 'http.url' : 'url.full', url)];
    if (!e.urlOnly) attrs.push(sv(old ? 'net.peer.name' : 'server.address', e.host));
    if (!this.lean) attrs.push(iv(old ? 'net.peer.port' : 'server.port', 443), sv(old ? 'http.flavor' : 'network.protocol.version', '1.1'));
    const sp = this.span(s, 'client', parent, KIND.CLIENT, st.method, start, attrs);
    sp.end = start + rng.ms(30, 450);
    const fails = rng.chance(0.01);
    if (!this.lean) sp.attrs.push(iv(old ? 'http.status_code' : 'http.response.status_code', fails ? rng.pick([429, 502, 503]) : 200));
    if (fails) this.fail(sp, 'upstream error', null);
    sp.exit = { name: e.host, type: 'external' };
    return sp;
  }

  /** A PRODUCER span of s to topic t, and one CONSUMER child per consumer group (their work later). */
  produce(s, t, parent, start, depth, leaves) {
    const rng = this.rng;
    const attrs = [sv('messaging.system', 'kafka'), sv('messaging.destination.name', t.name)];
    if (!this.lean) {
      attrs.push(sv('messaging.operation.type', 'send'), sv('messaging.operation.name', 'send'), sv('messaging.client.id', `producer-${s.name}-1`),
        sv('messaging.kafka.message.key', rng.hex(16)), iv('messaging.destination.partition.id', rng.int(0, t.partitions - 1)),
        sv('server.address', 'kafka-0.kafka.svc.cluster.local'), iv('server.port', 9092));
    }
    const sp = this.span(s, 'kafka', parent, KIND.PRODUCER, `send ${t.name}`, start, attrs);
    sp.end = start + rng.ms(0.3, 4);
    if (t.consumers.length === 0) sp.exit = { name: t.node, type: 'async' };
    for (const w of t.consumers) this.consume(w, t, sp, sp.end + rng.ms(2, 300), depth, leaves);
    return sp;
  }

  consume(w, t, parent, start, depth, leaves) {
    const rng = this.rng;
    const attrs = [sv('messaging.system', 'kafka'), sv('messaging.destination.name', t.name), sv('messaging.consumer.group.name', w.name)];
    if (!this.lean) {
      attrs.push(sv('messaging.operation.type', 'process'), sv('messaging.operation.name', 'process'), sv('messaging.client.id', `consumer-${w.name}-${rng.int(1, 4)}`),
        iv('messaging.destination.partition.id', rng.int(0, t.partitions - 1)), iv('messaging.kafka.offset', rng.int(1_000_000, 90_000_000)),
        iv('messaging.message.body.size', rng.int(200, 4000)));
    }
    const sp = this.span(w, 'kafka', parent, KIND.CONSUMER, `process ${t.name}`, start, attrs);
    if (!parent) sp.entryCaller = { name: t.node, type: 'async' }; // R5: a root consumer names its queue
    const h = w.handlers.find((x) => x.topic === t);
    const r = this.steps(w, h.steps, sp, start + rng.ms(0.05, 0.5), depth + 1, leaves);
    sp.end = r.end + rng.ms(0.05, 0.5);
    if ((r.err && rng.chance(0.5)) || rng.chance(0.003)) this.fail(sp, 'message processing failed', rng.chance(0.5) ? 'org.apache.kafka.common.errors.SerializationException' : null);
    return sp;
  }
}

// ---------------------------------------------------------------------------------------------
// Ground truth of one trace, from the generator's own knowledge (CONTRACT §2)

function addTruth(truth, from, to, type, err, rule) {
  const key = `${from}\u0000${to}\u0000${type}`;
  let e = truth.edges.get(key);
  if (!e) {
    e = { from, to, type, calls: 0, errors: 0, rule };
    truth.edges.set(key, e);
  }
  e.calls++;
  if (err) e.errors++;
}

function truthOfTrace(truth, spans, serviceNames) {
  for (const sp of spans) sp.remoteChild = false;
  for (const c of spans) {
    const p = c.parent;
    if (!p) continue;
    const a = p.pod.service.name;
    const b = c.pod.service.name;
    if (a === b) continue;
    p.remoteChild = true;
    // R1 (R6: an error when either span failed).
    addTruth(truth, a, b, p.kind === KIND.PRODUCER || c.kind === KIND.CONSUMER ? 'async' : 'sync', p.err || c.err, 'R1');
  }
  for (const sp of spans) {
    const svc = sp.pod.service.name;
    // R3: a leaf CLIENT or PRODUCER span calls the node it names.
    if ((sp.kind === KIND.CLIENT || sp.kind === KIND.PRODUCER) && !sp.remoteChild && sp.exit) {
      if (serviceNames.has(sp.exit.name)) {
        if (sp.exit.name === svc) truth.selfCalls++; // R4
        else throw new Error(`unexpected exit to service ${sp.exit.name}`);
      } else addTruth(truth, svc, sp.exit.name, sp.exit.type, sp.err, 'R3');
    }
    // R5: a root consumer that names its queue: a call from the queue.
    if (!sp.parent && sp.entryCaller) addTruth(truth, sp.entryCaller.name, svc, sp.entryCaller.type, sp.err, 'R5');
  }
}

// ---------------------------------------------------------------------------------------------
// The generator: traces -> pod buffers -> rotating flushes -> Collector lines -> file

function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?$/i.exec(String(text));
  if (!m) throw new Error(`bad size: ${text}`);
  const unit = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 }[(m[2] ?? 'B').toUpperCase()];
  return Math.round(Number(m[1]) * unit);
}

export function generate(options) {
  const o = {
    size: '10MB', spansPerLine: 512, seed: 1, services: 43, mode: 'traffic', passes: 1, day: 0, days: 1, lean: false,
    ...options,
  };
  const target = parseSize(o.size);
  const big = o.services > 60;
  const topo = buildTopology(o.seed, {
    services: o.services, lean: o.lean,
    ops: big ? (o.mode === 'cover' && o.services >= 4000 ? [3, 4] : [2, 4]) : [2, 5], entryOps: [5, 8],
    calls: big ? (o.services >= 4000 ? [2, 4] : [1, 2]) : [1, 3], entryCalls: big ? [3, 6] : [2, 4],
    // Versions: in one file, 40% of services roll out once; over many days, every ~3 weeks.
    rollouts: o.days > 1 ? (rng) => rng.int(1, 6) : o.mode === 'cover' ? (rng) => (rng.chance(0.6) ? 1 : 0) : (rng) => (rng.chance(0.4) ? 1 : 0),
    rolloutAt: o.days > 1 ? (rng) => rng.float() * 0.98 : o.mode === 'cover' ? (rng) => 0.3 + rng.float() * 0.3 : (rng) => 0.1 + rng.float() * 0.75,
    rolloutWidth: o.days > 1 ? 0.3 / o.days : 0.04,
  });
  const serviceNames = new Set(topo.services.map((s) => s.name));
  const gen = { rng: new Rng(o.seed * 7919 + o.day * 104_729 + 1), lean: o.lean };
  const rng = gen.rng;
  const baseS = BASE_S + o.day * DAY_S;
  const pad9 = (n) => String(n).padStart(9, '0');
  const ts = (t) => `${baseS + Math.floor(t / SEC)}${pad9(t % SEC)}`;

  const allPods = topo.services.flatMap((s) => s.pods.flat()).sort((a, b) => a.phase - b.phase || (a.key < b.key ? -1 : 1));
  const truth = { edges: new Map(), selfCalls: 0 };
  const tmp = `${o.out}.tmp`;
  const fd = openSync(tmp, 'w');
  let bytes = 0;
  let lines = 0;
  let spansWritten = 0;
  let traces = 0;
  let pending = 0; // spans buffered in pods
  let line = [];

  const serializeSpan = (sp) => {
    let s = `{"traceId":"${sp.traceId}","spanId":"${sp.spanId}"`;
    if (sp.parent) s += `,"parentSpanId":"${sp.parent.spanId}"`;
    else if (sp.pod.service.conf.emptyParent) s += ',"parentSpanId":""';
    const flags = sp.pod.service.conf.flags;
    if (flags) {
      const remote = sp.parent && sp.parent.pod.service !== sp.pod.service;
      s += `,"flags":${flags === 'go' ? (remote ? 0x300 : 0x100) : remote ? 0x301 : 0x101}`;
    }
    s += `,"name":${JSON.stringify(sp.name)},"kind":${sp.kind},"startTimeUnixNano":"${ts(sp.start)}","endTimeUnixNano":"${ts(sp.end)}","attributes":[${sp.attrs.join(',')}]`;
    if (sp.events) s += sp.events.replace(/"@(\d+)"/, (_, t) => `"${ts(Number(t))}"`);
    return `${s},"status":${sp.status}}`;
  };
  const writeLine = () => {
    if (line.length === 0) return;
    const byPod = new Map();
    for (const sp of line) {
      let scopes = byPod.get(sp.pod);
      if (!scopes) byPod.set(sp.pod, (scopes = new Map()));
      let list = scopes.get(sp.scope);
      if (!list) scopes.set(sp.scope, (list = []));
      list.push(serializeSpan(sp));
    }
    const parts = [];
    for (const [pod, scopes] of byPod) {
      const ss = [];
      for (const [scope, list] of scopes) ss.push(`${pod.scopes[scope]}${list.join(',')}]}`);
      parts.push(`${pod.head}${ss.join(',')}${pod.tail}`);
    }
    const text = `{"resourceSpans":[${parts.join(',')}]}\n`;
    const buf = Buffer.from(text, 'utf8');
    writeSync(fd, buf);
    bytes += buf.length;
    spansWritten += line.length;
    lines++;
    line = [];
  };
  const emit = (sp) => {
    line.push(sp);
    if (line.length >= o.spansPerLine) writeLine();
  };
  /** One pod's BatchSpanProcessor exports what ended by F. */
  const flushPod = (pod, F) => {
    if (pod.buffer.length === 0) return;
    const out = [];
    const keep = [];
    for (const sp of pod.buffer) (sp.end <= F ? out : keep).push(sp);
    if (out.length === 0) return;
    out.sort((a, b) => a.end - b.end);
    pod.buffer = keep;
    pending -= out.length;
    for (const sp of out) emit(sp);
  };
  // Flush events in time order: pods sorted by phase, tick k: F = phase + k * TICK.
  let evTick = 0;
  let evPod = 0;
  const nextEvent = () => allPods[evPod].phase + evTick * TICK;
  const advance = () => {
    evPod++;
    if (evPod === allPods.length) {
      evPod = 0;
      evTick++;
    }
  };
  const runEventsBefore = (t) => {
    while (nextEvent() < t) {
      flushPod(allPods[evPod], nextEvent());
      advance();
    }
  };
  const addTrace = (tb) => {
    truthOfTrace(truth, tb.spans, serviceNames);
    traces++;
    for (const sp of tb.spans) sp.pod.buffer.push(sp);
    pending += tb.spans.length;
  };

  const dayLength = 24 * 3600 * SEC;
  if (o.mode === 'traffic') {
    // Requests arrive every 20-50 ms (~28/s, ~4,500 spans a 5 s tick); 5% are feed messages.
    const entryOps = topo.entries.flatMap((s) => s.ops.flatMap((op) => Array(op.weight).fill([s, op])));
    const feed = topo.topics.find((t) => t.feed);
    let t = 8 * 3600 * SEC + rng.int(0, 999) * MS;
    for (;;) {
      const avg = spansWritten > 0 ? bytes / spansWritten : 940;
      if (bytes + pending * avg + line.length * avg >= target) break;
      t += rng.ms(20, 50);
      if (t > dayLength - 10 * SEC) throw new Error('--size too large for one day at this rate');
      runEventsBefore(t);
      const g = (o.day + Math.min(1, bytes / target)) / o.days;
      const tb = new TraceBuilder(gen, t, g);
      if (feed && rng.chance(0.05)) {
        tb.consume(feed.consumers[0], feed, null, t, 0, false);
      } else {
        const [s, op] = rng.pick(entryOps);
        if (op.minVersion > tb.pod(s).versionIndex) continue;
        tb.serve(s, op, null, t, 'full', 0);
      }
      addTrace(tb);
    }
  } else {
    // cover: every operation of every service (and every consumer handler) once per pass, with
    // its direct callees as leaves. Passes spread over the day; versions follow the timeline.
    let t = 1 * 3600 * SEC + rng.int(0, 999) * MS;
    const units = [];
    for (const s of topo.services) {
      for (const op of s.ops) units.push({ s, op });
      for (const h of s.handlers) units.push({ s, h });
    }
    const perPass = Math.floor((20 * 3600 * SEC) / Math.max(1, o.passes) / Math.max(1, units.length));
    const step = Math.max(2 * MS, Math.min(perPass, 60 * MS));
    for (let pass = 0; pass < o.passes; pass++) {
      const g = (o.day + (o.passes === 1 ? 0.5 : pass / (o.passes - 1)) * 0.999) / o.days;
      for (const u of units) {
        t += step;
        runEventsBefore(t);
        const tb = new TraceBuilder(gen, t, g);
        if (u.op) {
          if (u.op.minVersion > tb.pod(u.s).versionIndex) continue;
          tb.serve(u.s, u.op, null, t, 'leaves', 0);
        } else if (u.h.topic.feed || u.h.topic.producers.length === 0) {
          tb.consume(u.s, u.h.topic, null, t, 0, true);
        } else {
          // A producer of the topic as the root, the consumer (with its own calls as leaves) its child.
          const p = rng.pick(u.h.topic.producers);
          const attrs = [sv('messaging.system', 'kafka'), sv('messaging.destination.name', u.h.topic.name)];
          const sp = tb.span(p, 'kafka', null, KIND.PRODUCER, `send ${u.h.topic.name}`, t, attrs);
          sp.end = t + rng.ms(0.3, 3);
          tb.consume(u.s, u.h.topic, sp, sp.end + rng.ms(2, 100), 0, true);
        }
        addTrace(tb);
      }
    }
  }
  // Drain: keep flushing in time order until every pod is empty.
  while (pending > 0) {
    flushPod(allPods[evPod], nextEvent());
    advance();
  }
  writeLine();
  closeSync(fd);
  renameSync(tmp, o.out);

  const edges = [...truth.edges.values()].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : a.type < b.type ? -1 : 1));
  const result = {
    generator: GENERATOR_VERSION,
    options: { size: o.size, spansPerLine: o.spansPerLine, seed: o.seed, services: o.services, mode: o.mode, passes: o.passes, day: o.day, days: o.days, lean: o.lean },
    bytes, lines, spans: spansWritten, traces, selfCalls: truth.selfCalls,
    services: topo.services.length,
    entrypoints: topo.entries.map((s) => s.name),
    edgeCount: edges.length,
    callCount: edges.reduce((n, e) => n + e.calls, 0),
    edges,
  };
  writeFileSync(`${o.out}.truth.json`, JSON.stringify(result, null, 0).replace(/\},\{/g, '},\n{'));
  return result;
}

// ---------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--out') o.out = v();
    else if (a === '--size') o.size = v();
    else if (a === '--spans-per-line') o.spansPerLine = Number(v());
    else if (a === '--seed') o.seed = Number(v());
    else if (a === '--services') o.services = Number(v());
    else if (a === '--mode') o.mode = v();
    else if (a === '--passes') o.passes = Number(v());
    else if (a === '--day') o.day = Number(v());
    else if (a === '--days') o.days = Number(v());
    else if (a === '--lean') o.lean = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (!o.out) throw new Error('--out FILE is required');
  if (o.mode && !['traffic', 'cover'].includes(o.mode)) throw new Error('--mode traffic|cover');
  return o;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const started = performance.now();
    const r = generate(parseArgs(process.argv.slice(2)));
    const secs = (performance.now() - started) / 1000;
    process.stderr.write(
      `generated ${r.bytes.toLocaleString('en-US')} bytes, ${r.lines} lines, ${r.spans.toLocaleString('en-US')} spans ` +
        `(${Math.round(r.bytes / Math.max(1, r.spans))} B/span), ${r.traces.toLocaleString('en-US')} traces, ` +
        `${r.services} services, ${r.edgeCount} edges, ${r.callCount.toLocaleString('en-US')} calls, ${r.selfCalls} self-calls in ${secs.toFixed(1)} s\n`,
    );
  } catch (e) {
    process.stderr.write(`generate: ${e.message}\n`);
    process.exit(2);
  }
}
