#!/usr/bin/env node
/**
 * Generates the bundled demo traces in fixtures/demo/: two "days" of OTLP/JSON traces of a small
 * online shop, written the way the OpenTelemetry Collector file exporter writes them (JSON Lines,
 * one TracesData object per line, spans grouped by resource and scope, the spans of one trace
 * spread over several lines, a child often on an earlier line than its parent).
 *
 *   node scripts/generate-demo.mjs
 *
 * Deterministic: a seeded PRNG (mulberry32), fixed base timestamps, no clock, no randomness from
 * the platform, only integer-exact arithmetic (no Math.log/sin, whose last bits may differ between
 * engines). Re-running it rewrites byte-identical files. The gzip member carries no name and
 * mtime 0; its bytes depend only on the zlib that Node bundles.
 *
 * fixtures/demo/README.md describes the topology, the versions and what changes on day two. The PRNG,
 * the ids, the OTLP builders and the Collector-style export are shared with generate-scenarios.mjs
 * in scripts/lib/otlp-fixtures.mjs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync, constants as zlibConstants } from 'node:zlib';
import {
  FixtureDay, FixtureTrace, HOUR, KIND, MIN, MS, REPO_ROOT as ROOT, SEC,
  exportLines, fail, httpClientAttributes, int, podResource, resourceAttributes, str,
} from './lib/otlp-fixtures.mjs';

const OUT = join(ROOT, 'fixtures', 'demo');

// ---------------------------------------------------------------------------------------------
// The fleet: services, their SDKs (mixed ages, so mixed attribute names) and instrumentation scopes

const SCHEMA = (v) => `https://opentelemetry.io/schemas/${v}`;

/**
 * Per service: language, resource schema, pods per version, how its SDK fills span `flags`, which
 * generation of semantic conventions its instrumentation emits ('old': http.method, db.statement,
 * net.peer.name...; 'current': http.request.method, db.query.text, server.address...), and its
 * instrumentation scopes. `byVersion` overrides them for one version: checkout 2.4.0 still runs
 * an old Go SDK and otelhttp 0.44, 2.5.0 upgraded both.
 */
const FLEET = {
  'web-frontend': {
    lang: 'nodejs', schema: '1.27.0', pods: 2, flags: null, semconv: 'current',
    scopes: {
      http: ['@opentelemetry/instrumentation-http', '0.57.2'],
      undici: ['@opentelemetry/instrumentation-undici', '0.10.1'],
      grpc: ['@opentelemetry/instrumentation-grpc', '0.57.2'],
      app: ['web-frontend', ''],
    },
  },
  cart: {
    lang: 'dotnet', schema: null, pods: 2, flags: null, semconv: 'current',
    scopes: {
      http: ['Microsoft.AspNetCore', ''],
      redis: ['OpenTelemetry.Instrumentation.StackExchangeRedis', '1.10.0-beta.1'],
    },
  },
  catalog: {
    lang: 'go', schema: '1.26.0', pods: 2, flags: 'go', semconv: 'current',
    scopes: {
      grpc: ['go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc', '0.59.0'],
      pg: ['github.com/exaring/otelpgx', '0.9.1'],
      app: ['github.com/example-shop/catalog/internal/store', ''],
    },
  },
  checkout: {
    lang: 'go', schema: '1.26.0', pods: 2, flags: 'go', semconv: 'current',
    scopes: {
      http: ['go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp', '0.59.0'],
      grpc: ['go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc', '0.59.0'],
      kafka: ['github.com/example-shop/checkout/internal/events', ''],
      app: ['github.com/example-shop/checkout/internal/order', ''],
    },
    byVersion: {
      '2.4.0': {
        schema: '1.21.0', semconv: 'old',
        scopes: {
          http: ['go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp', '0.44.0'],
          grpc: ['go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc', '0.44.0'],
          kafka: ['go.opentelemetry.io/contrib/instrumentation/github.com/IBM/sarama/otelsarama', '0.43.0'],
          app: ['github.com/example-shop/checkout/internal/order', ''],
        },
      },
    },
  },
  payments: {
    lang: 'java', schema: '1.24.0', pods: 1, flags: 'java', semconv: 'current',
    scopes: {
      http: ['io.opentelemetry.tomcat-10.0', '2.11.0-alpha'],
      client: ['io.opentelemetry.java-http-client', '2.11.0-alpha'],
      jdbc: ['io.opentelemetry.jdbc', '2.11.0-alpha'],
      app: ['io.opentelemetry.opentelemetry-instrumentation-annotations-1.16', '2.11.0-alpha'],
    },
  },
  inventory: {
    lang: 'python', schema: '1.11.0', pods: 1, flags: null, semconv: 'old',
    scopes: {
      http: ['opentelemetry.instrumentation.flask', '0.41b0'],
      pg: ['opentelemetry.instrumentation.psycopg2', '0.41b0'],
    },
  },
  'order-worker': {
    lang: 'java', schema: '1.24.0', pods: 1, flags: 'java', semconv: 'current',
    scopes: {
      kafka: ['io.opentelemetry.kafka-clients-0.11', '2.11.0-alpha'],
      jdbc: ['io.opentelemetry.jdbc', '2.11.0-alpha'],
      client: ['io.opentelemetry.java-http-client', '2.11.0-alpha'],
      app: ['io.opentelemetry.opentelemetry-instrumentation-annotations-1.16', '2.11.0-alpha'],
    },
  },
  notifications: {
    lang: 'ruby', schema: null, pods: 1, flags: null, semconv: 'old', oldEnvKey: true,
    scopes: {
      http: ['OpenTelemetry::Instrumentation::Sinatra', '0.23.2'],
      client: ['OpenTelemetry::Instrumentation::Net::HTTP', '0.22.4'],
    },
  },
  'fraud-check': {
    lang: 'python', schema: '1.11.0', pods: 1, flags: null, semconv: 'current',
    scopes: {
      http: ['opentelemetry.instrumentation.fastapi', '0.50b0'],
      pg: ['opentelemetry.instrumentation.asyncpg', '0.50b0'],
      app: ['fraud_check.scoring', ''],
    },
  },
};

/** The resource of one pod of `service` at `version`; the same on every day it runs. */
function resourceFor(service, version, podIndex) {
  return podResource(`${service}@${version}#${podIndex}`, (rng) => {
    const base = FLEET[service];
    const conf = { ...base, ...(base.byVersion?.[version] ?? {}) };
    const attributes = resourceAttributes(rng, service, version, conf.lang, { oldEnvKey: conf.oldEnvKey });
    return {
      service,
      version,
      semconv: conf.semconv,
      flags: conf.flags,
      schemaUrl: conf.schema ? SCHEMA(conf.schema) : null,
      scopes: conf.scopes,
      ip: `10.42.${rng.int(0, 7)}.${rng.int(2, 250)}`,
      // The phase of its BatchSpanProcessor's 5 s flushes (see exportLines).
      exportPhase: Math.round(rng.float() * 5000) * MS,
      attributes,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The shop's data

const PRODUCTS = [
  'OLJCESPC7Z', '66VCHSJNUP', '1YMWWN1N4O', 'L9ECAV7KIM', '2ZYFJ3GM2N',
  '0PUK6V6EV0', 'LS4PSXUNUM', '9SIQT8TOJO', '6E92ZMYYFZ', 'HQTGWGPNH4',
];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
];
/** Sessions per burst by hour of day (UTC): a quiet night, a busy day. */
const HOURLY = [1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 1];

// ---------------------------------------------------------------------------------------------
// One day of traffic

class Day extends FixtureDay {
  constructor(cfg) {
    super(cfg.seed, cfg.date);
    Object.assign(this, cfg);
    this.messages = [];
    this.checkouts = 0;
    this.badgeCalls = 0;
    this.consumerPause = null;
    this.stats = {
      sessions: 0, pages: { home: 0, product: 0, cart: 0, checkout: 0 }, checkoutsByVersion: {},
      declined: 0, stripeRetries: 0, deadlocks: 0, linkRoots: 0, linkedMessages: 0, linkRootsMulti: 0, childConsumers: 0,
      droppedServerSpans: 0, rootsWithoutPeer: 0,
    };
  }
  /** Version of `service` for a request at time t: rollouts switch over linearly in a window. */
  versionAt(service, t) {
    const plan = this.versions[service];
    let v = plan[0][0];
    for (const [version, from, to] of plan.slice(1)) {
      if (t >= to) v = version;
      else if (t >= from && this.rng.chance((t - from) / (to - from))) v = version;
    }
    return v;
  }
}

/** One trace: pins the pod (and so the version) of every service it touches. */
class Trace extends FixtureTrace {
  /** The pod serving `service` in this trace: the version rolled out at t0, one of its pods at random. */
  pickPod(service) {
    const version = this.day.versionAt(service, this.t0);
    const conf = { ...FLEET[service], ...(FLEET[service].byVersion?.[version] ?? {}) };
    return resourceFor(service, version, this.rng.int(0, conf.pods - 1));
  }
  version(service) {
    return this.resource(service).version;
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP / RPC / DB attribute shapes, current and deprecated

function httpClient(res, method, url, status) {
  if (res.semconv === 'old') {
    return [
      str('http.method', method), str('http.url', url), str('net.peer.name', new URL(url).hostname), int('http.status_code', status),
    ];
  }
  return httpClientAttributes(method, url, status);
}

function clientSpanName(res, method) {
  return res.semconv === 'old' ? `HTTP ${method}` : method;
}

function httpServer(res, method, route, path, status, host) {
  if (res.semconv === 'old') {
    return [
      str('http.method', method), str('http.route', route), str('http.target', path),
      str('net.host.name', host), int('http.status_code', status),
    ];
  }
  const a = [
    str('http.request.method', method), str('http.route', route), str('url.path', path),
    int('http.response.status_code', status),
  ];
  if (status >= 500) a.push(str('error.type', String(status)));
  return a;
}

/**
 * A sync HTTP call: CLIENT span in `caller`, SERVER span in `callee`, the callee's work done by
 * `handle(serverSpan, t)` which returns [endTime, httpStatus]. Returns the CLIENT span.
 */
function httpCall(tr, caller, callerScope, parent, t, callee, req, handle) {
  const cres = tr.resource(caller);
  const url = `http://${req.host}:${req.port ?? 8080}${req.path}`;
  const client = tr.span(caller, callerScope, parent, KIND.CLIENT, clientSpanName(cres, req.method), t, null);
  const sres = tr.resource(callee);
  const sname = req.flaskName ? req.route : `${req.method} ${req.route}`;
  const server = tr.span(callee, 'http', client, KIND.SERVER, sname, t + tr.rng.ms(0.3, 1.5), null);
  const [end, status] = handle(server, server.start + tr.rng.ms(0.05, 0.3));
  server.end = end + tr.rng.ms(0.05, 0.4);
  server.attributes = httpServer(sres, req.method, req.route, req.path, status, req.host);
  client.end = server.end + tr.rng.ms(0.3, 1.5);
  client.attributes = httpClient(cres, req.method, url, status);
  if (req.peerService) client.attributes.push(str('peer.service', req.peerService));
  if (status >= 500) fail(server, null);
  if (status >= 400) fail(client, null);
  return client;
}

/** A database call by `service` (CLIENT span, no child). */
function dbCall(tr, service, scope, parent, t, q) {
  let name;
  let attributes;
  if (q.style === 'old') {
    name = q.op;
    attributes = [
      str('db.system', q.system), str('db.name', q.namespace), str('db.statement', q.text), str('net.peer.name', q.host),
    ];
  } else if (q.style === 'java') {
    // The Java agent 2.x default: old db.* keys, new server.* keys.
    name = `${q.op} ${q.namespace}.${q.table}`;
    attributes = [
      str('db.system', q.system), str('db.name', q.namespace), str('db.statement', q.text),
      str('db.operation', q.op), str('db.sql.table', q.table), str('server.address', q.host),
    ];
  } else {
    name = q.table ? `${q.op} ${q.table}` : q.op;
    attributes = [str('db.system.name', q.system), str('db.namespace', q.namespace)];
    if (q.table) attributes.push(str('db.collection.name', q.table));
    attributes.push(str('db.operation.name', q.op), str('db.query.text', q.text), str('server.address', q.host));
  }
  const sp = tr.span(service, scope, parent, KIND.CLIENT, name, t, attributes);
  sp.end = t + tr.rng.ms(...(q.ms ?? [0.4, 3]));
  return sp;
}

// ---------------------------------------------------------------------------------------------
// Services

/** catalog: gRPC, reads postgresql `catalog`; on day two GetProduct also counts views (a write). */
function callCatalog(tr, caller, parent, t, method, productId) {
  const rng = tr.rng;
  const cres = tr.resource(caller);
  const rpc = [str('rpc.system', 'grpc'), str('rpc.service', 'catalog.Catalog'), str('rpc.method', method)];
  const name = `catalog.Catalog/${method}`;
  const client = tr.span(caller, 'grpc', parent, KIND.CLIENT, name, t,
    [...rpc, str('server.address', 'catalog'), int('server.port', 50051)]);
  const server = tr.span('catalog', 'grpc', client, KIND.SERVER, name, t + rng.ms(0.2, 0.9),
    [...rpc, str('network.peer.address', cres.ip), int('rpc.grpc.status_code', 0)]);
  const store = tr.span('catalog', 'app', server, KIND.INTERNAL,
    method === 'GetProduct' ? 'ProductStore.Get' : 'ProductStore.List', server.start + rng.ms(0.02, 0.1),
    [str('code.function.name', `store.(*ProductStore).${method === 'GetProduct' ? 'Get' : 'List'}`)]);
  if (productId) store.attributes.push(str('app.product.id', productId));
  let u = store.start + rng.ms(0.01, 0.05);
  const pg = { style: 'current', system: 'postgresql', namespace: 'catalog', host: 'pg-catalog.db.internal', table: 'products', op: 'SELECT' };
  if (method === 'GetProduct') {
    u = dbCall(tr, 'catalog', 'pg', store, u, {
      ...pg, text: 'SELECT id, name, price_cents, picture FROM products WHERE id = $1',
    }).end;
    if (tr.day.catalogWritesFrom !== null && tr.t0 >= tr.day.catalogWritesFrom) {
      u = dbCall(tr, 'catalog', 'pg', store, u + rng.ms(0.01, 0.05), {
        ...pg, op: 'UPDATE', text: 'UPDATE products SET views = views + 1 WHERE id = $1', ms: [0.6, 4],
      }).end;
    }
  } else {
    u = dbCall(tr, 'catalog', 'pg', store, u, {
      ...pg, text: 'SELECT id, name, price_cents, picture FROM products ORDER BY rank LIMIT $1', ms: [1, 6],
    }).end;
  }
  store.end = u + rng.ms(0.02, 0.2);
  server.end = store.end + rng.ms(0.05, 0.3);
  client.end = server.end + rng.ms(0.2, 0.9);
  return client;
}

/** cart: HTTP, keeps carts in redis. */
function callCart(tr, caller, callerScope, parent, t, method, cartKey, opts = {}) {
  const rng = tr.rng;
  const add = method === 'POST';
  const req = {
    method, host: 'cart', port: 8080,
    route: add ? '/cart/items' : '/cart/{userId}',
    path: add ? '/cart/items' : `/cart/${cartKey}`,
  };
  if (opts.serverDropped) {
    // The cart pod's exporter dropped its spans (queue full): only the caller's span remains.
    const cres = tr.resource(caller);
    const client = tr.span(caller, callerScope, parent, KIND.CLIENT, clientSpanName(cres, method), t,
      httpClient(cres, method, `http://cart:8080${req.path}`, 200));
    client.end = t + rng.ms(1.5, 5);
    tr.day.stats.droppedServerSpans++;
    return client;
  }
  return httpCall(tr, caller, callerScope, parent, t, 'cart', req, (server, u) => {
    const redis = (op, at) => {
      const sp = tr.span('cart', 'redis', server, KIND.CLIENT, op, at, [
        str('db.system', 'redis'), str('db.operation.name', op), str('server.address', 'cache.internal'),
      ]);
      sp.end = at + rng.ms(0.15, 0.9);
      return sp.end;
    };
    u = redis('GET', u);
    if (add) u = redis('SET', u + rng.ms(0.02, 0.2));
    return [u + rng.ms(0.05, 0.4), 200];
  });
}

/** inventory: Python/Flask with the old semantic conventions; writes postgresql `inventory`. */
function callInventory(tr, parent, t, kind, items, deadlock) {
  const rng = tr.rng;
  const sku = items[0].id;
  const req = {
    stock: { method: 'GET', route: '/inventory/<sku>', path: `/inventory/${sku}` },
    decrement: { method: 'POST', route: '/inventory/<sku>/decrement', path: `/inventory/${sku}/decrement` },
    reserve: { method: 'POST', route: '/inventory/reserve', path: '/inventory/reserve' },
  }[kind];
  return httpCall(tr, 'checkout', 'http', parent, t, 'inventory', { ...req, host: 'inventory', port: 8080, flaskName: true }, (server, u) => {
    const pg = { style: 'old', system: 'postgresql', namespace: 'inventory', host: 'pg-inventory.db.internal' };
    if (kind === 'stock') {
      u = dbCall(tr, 'inventory', 'pg', server, u, { ...pg, op: 'SELECT', text: 'SELECT qty, reserved FROM stock WHERE sku = %s' }).end;
      return [u, 200];
    }
    const lines = kind === 'reserve' ? items : [items[0]];
    for (let i = 0; i < lines.length; i++) {
      const text = kind === 'reserve'
        ? 'UPDATE stock SET reserved = reserved + %s WHERE sku = %s AND qty - reserved >= %s'
        : 'UPDATE stock SET qty = qty - %s WHERE sku = %s AND qty >= %s';
      const sp = dbCall(tr, 'inventory', 'pg', server, u, { ...pg, op: 'UPDATE', text, ms: [0.8, 5] });
      u = sp.end;
      if (deadlock && i === lines.length - 1) {
        sp.end += rng.ms(20, 60); // the lock wait before the deadlock detector fires
        u = sp.end;
        fail(sp, 'deadlock detected', {
          type: 'psycopg2.errors.DeadlockDetected',
          message: 'deadlock detected\nDETAIL:  Process 48213 waits for ShareLock on transaction 9120431; blocked by process 48190.',
        });
        return [u + rng.ms(0.5, 2), 500];
      }
      u += rng.ms(0.02, 0.1);
    }
    return [u, 200];
  });
}

/** payments: Java; charges through Stripe, records every attempt in postgresql `payments`. */
function callPayments(tr, parent, t, order, outcome) {
  const rng = tr.rng;
  const req = { method: 'POST', host: 'payments', port: 8080, route: '/payments/charge', path: '/payments/charge' };
  return httpCall(tr, 'checkout', 'http', parent, t, 'payments', req, (server, u) => {
    const svc = tr.span('payments', 'app', server, KIND.INTERNAL, 'ChargeService.charge', u, [
      str('code.function.name', 'ChargeService.charge'), str('app.order.id', order.id),
      int('app.payment.amount_cents', order.totalCents), str('app.payment.currency', 'USD'),
    ]);
    let v = svc.start + rng.ms(0.1, 0.5);
    const stripe = (status) => {
      const res = tr.resource('payments');
      const sp = tr.span('payments', 'client', svc, KIND.CLIENT, 'POST', v,
        httpClient(res, 'POST', 'https://api.stripe.com/v1/charges', status));
      sp.end = v + (status === 503 ? rng.ms(30, 120) : rng.ms(180, 650));
      if (status >= 400) fail(sp, null);
      v = sp.end + rng.ms(0.1, 0.5);
      return sp;
    };
    let status = 200;
    if (outcome === 'retry') {
      stripe(503);
      v += rng.ms(200, 260); // backoff
      tr.day.stats.stripeRetries++;
    }
    if (outcome === 'declined') {
      stripe(402);
      status = 402;
      tr.day.stats.declined++;
    } else {
      stripe(200);
    }
    v = dbCall(tr, 'payments', 'jdbc', svc, v, {
      style: 'current', system: 'postgresql', namespace: 'payments', host: 'pg-payments.db.internal', table: 'charges', op: 'INSERT',
      text: 'INSERT INTO charges (id, order_id, amount_cents, currency, status, provider_ref, created_at) VALUES (?, ?, ?, ?, ?, ?, now())',
      ms: [0.8, 4],
    }).end;
    svc.end = v + rng.ms(0.05, 0.3);
    return [svc.end, status];
  });
}

/** fraud-check (day two, called by checkout 2.6.0): scores an order from postgresql `fraud`. */
function callFraudCheck(tr, parent, t, order) {
  const rng = tr.rng;
  const req = { method: 'POST', host: 'fraud-check', port: 8080, route: '/v1/score', path: '/v1/score' };
  return httpCall(tr, 'checkout', 'http', parent, t, 'fraud-check', req, (server, u) => {
    const score = tr.span('fraud-check', 'app', server, KIND.INTERNAL, 'score_order', u, [
      str('code.function.name', 'fraud_check.scoring.score_order'), str('app.order.id', order.id),
    ]);
    let v = score.start + rng.ms(0.05, 0.2);
    const pg = { style: 'current', system: 'postgresql', namespace: 'fraud', host: 'pg-fraud.db.internal', op: 'SELECT' };
    v = dbCall(tr, 'fraud-check', 'pg', score, v, { ...pg, table: 'chargebacks', text: 'SELECT count(*) FROM chargebacks WHERE user_id = $1 AND created_at > now() - interval \'90 days\'' }).end;
    v = dbCall(tr, 'fraud-check', 'pg', score, v + rng.ms(0.02, 0.1), { ...pg, table: 'ip_reputation', text: 'SELECT risk FROM ip_reputation WHERE network >>= $1::inet' }).end;
    score.end = v + rng.ms(0.3, 2);
    return [score.end, 200];
  });
}

/** checkout: Go; orchestrates an order and publishes it to kafka `orders`. */
function callCheckout(tr, parent, t, session) {
  const rng = tr.rng;
  const day = tr.day;
  const version = tr.version('checkout');
  day.stats.checkoutsByVersion[version] = (day.stats.checkoutsByVersion[version] ?? 0) + 1;
  const order = {
    id: `ord_${rng.hex(12)}`,
    items: session.cart,
    totalCents: session.cart.reduce((s, it) => s + it.qty * it.priceCents, 0),
    userId: session.cartKey,
  };
  const ordinal = day.checkouts++;
  let outcome = day.forced[ordinal] ?? (rng.chance(day.declineRate) ? 'declined' : rng.chance(day.stripeRetryRate) ? 'retry' : 'ok');
  if (session.mustOrder && outcome === 'declined') outcome = 'ok';
  const req = { method: 'POST', host: 'checkout', port: 8080, route: '/orders', path: '/orders' };
  let declined = false;
  const client = httpCall(tr, 'web-frontend', 'undici', parent, t, 'checkout', req, (server, u) => {
    const place = tr.span('checkout', 'app', server, KIND.INTERNAL, 'PlaceOrder', u, [
      str('code.function.name', 'order.(*Service).PlaceOrder'),
      str('app.order.id', order.id), int('app.order.items', order.items.length),
    ]);
    let v = place.start + rng.ms(0.05, 0.2);
    v = callCart(tr, 'checkout', 'http', place, v, 'GET', session.cartKey).end + rng.ms(0.05, 0.2);
    for (const item of order.items) {
      v = callCatalog(tr, 'checkout', place, v, 'GetProduct', item.id).end + rng.ms(0.02, 0.1);
    }
    if (version === '2.4.0') {
      for (const item of order.items) v = callInventory(tr, place, v, 'stock', [item], false).end + rng.ms(0.02, 0.1);
    }
    if (version === '2.6.0') v = callFraudCheck(tr, place, v, order).end + rng.ms(0.05, 0.2);
    const pay = callPayments(tr, place, v, order, outcome);
    v = pay.end + rng.ms(0.05, 0.2);
    if (outcome === 'declined') {
      declined = true;
      place.end = v;
      fail(place, 'payment declined: card_declined');
      return [place.end + rng.ms(0.05, 0.2), 402];
    }
    // Update stock; a deadlock in inventory is retried once.
    const kinds = version === '2.4.0' ? order.items.map((it) => ['decrement', [it]]) : [['reserve', order.items]];
    for (const [kind, lines] of kinds) {
      const deadlock = day.forced[ordinal] === 'deadlock' ? kind === kinds[0][0] && lines === kinds[0][1] : rng.chance(day.deadlockRate);
      v = callInventory(tr, place, v, kind, lines, deadlock).end + rng.ms(0.05, 0.2);
      if (deadlock) {
        day.stats.deadlocks++;
        v += rng.ms(25, 60); // backoff
        v = callInventory(tr, place, v, kind, lines, false).end + rng.ms(0.05, 0.2);
      }
    }
    const producer = publishOrder(tr, place, v, order);
    v = producer.end + rng.ms(0.05, 0.2);
    place.end = v;
    day.messages.push({ producer, trace: tr, order, session });
    return [place.end + rng.ms(0.05, 0.3), 200];
  });
  return { client, declined };
}

function publishOrder(tr, parent, t, order) {
  const rng = tr.rng;
  const res = tr.resource('checkout');
  const partition = rng.int(0, 5);
  let sp;
  if (res.semconv === 'old') {
    sp = tr.span('checkout', 'kafka', parent, KIND.PRODUCER, 'orders publish', t, [
      str('messaging.system', 'kafka'), str('messaging.destination', 'orders'), str('messaging.destination_kind', 'topic'),
      str('messaging.kafka.message_key', order.id), int('messaging.kafka.partition', partition),
    ]);
  } else {
    sp = tr.span('checkout', 'kafka', parent, KIND.PRODUCER, 'send orders', t, [
      str('messaging.system', 'kafka'), str('messaging.destination.name', 'orders'), str('messaging.operation.type', 'send'),
      str('messaging.kafka.message.key', order.id), str('messaging.destination.partition.id', String(partition)),
    ]);
  }
  sp.end = t + rng.ms(0.8, 4);
  sp.partition = partition;
  return sp;
}

/** order-worker's handling of one order: store it, ask notifications to mail the customer. */
function handleOrder(tr, parent, t, msg, dropNotifications) {
  const rng = tr.rng;
  const h = tr.span('order-worker', 'app', parent, KIND.INTERNAL, 'OrderHandler.handle', t, [
    str('code.function.name', 'OrderHandler.handle'), str('app.order.id', msg.order.id),
  ]);
  let v = h.start + rng.ms(0.1, 0.4);
  const pg = { style: 'java', system: 'postgresql', namespace: 'orders', host: 'pg-orders.db.internal', op: 'INSERT', ms: [0.8, 4] };
  v = dbCall(tr, 'order-worker', 'jdbc', h, v, { ...pg, table: 'orders', text: 'insert into orders (id, user_id, total_cents, status, created_at) values (?, ?, ?, ?, now())' }).end;
  v = dbCall(tr, 'order-worker', 'jdbc', h, v + rng.ms(0.02, 0.1), { ...pg, table: 'order_items', text: 'insert into order_items (order_id, product_id, qty, price_cents) values (?, ?, ?, ?)' }).end;
  const req = { method: 'POST', host: 'notifications', port: 4567, route: '/v1/notify', path: '/v1/notify', peerService: 'notifications' };
  let client;
  if (dropNotifications) {
    const res = tr.resource('order-worker');
    client = tr.span('order-worker', 'client', h, KIND.CLIENT, 'POST', v + rng.ms(0.05, 0.2),
      [...httpClient(res, 'POST', 'http://notifications:4567/v1/notify', 202), str('peer.service', 'notifications')]);
    client.end = client.start + rng.ms(150, 400);
    tr.day.stats.droppedServerSpans++;
  } else {
    client = httpCall(tr, 'order-worker', 'client', h, v + rng.ms(0.05, 0.2), 'notifications', req, (server, u) => {
      // Ruby Net::HTTP instrumentation: old keys, no http.url.
      const mail = tr.span('notifications', 'client', server, KIND.CLIENT, 'HTTP POST', u + rng.ms(0.2, 1), [
        str('http.method', 'POST'), str('http.scheme', 'https'), str('http.target', '/v3/mail/send'),
        str('net.peer.name', 'api.sendgrid.com'), int('net.peer.port', 443), int('http.status_code', 202),
      ]);
      mail.end = mail.start + rng.ms(90, 320);
      return [mail.end + rng.ms(0.2, 1), 202];
    });
  }
  h.end = client.end + rng.ms(0.05, 0.3);
  return h;
}

function consumerAttributes(partition, offset, batch) {
  const a = [
    str('messaging.system', 'kafka'), str('messaging.destination.name', 'orders'), str('messaging.operation', 'process'),
    str('messaging.kafka.consumer.group', 'order-worker'),
  ];
  if (batch > 1) a.push(int('messaging.batch.message_count', batch));
  else a.push(int('messaging.kafka.message.offset', offset), str('messaging.destination.partition.id', String(partition)));
  return a;
}

/**
 * The order-worker side of every published order. Most consumers continue the producer's trace
 * (CONSUMER span, parent = the PRODUCER span). Some are batch receives: a new root trace whose
 * CONSUMER span links to the producer span(s) of the message(s) it processes.
 */
function consumeOrders(day) {
  const rng = day.rng;
  const msgs = [...day.messages].sort((a, b) => a.producer.end - b.producer.end);
  const offsets = new Map();
  const nextOffset = (p) => {
    const o = (offsets.get(p) ?? 48_120 + p * 977) + 1;
    offsets.set(p, o);
    return o;
  };
  const [pauseFrom, pauseTo] = day.consumerPause;
  const paused = (m) => m.producer.end >= pauseFrom && m.producer.end < pauseTo;
  const linkStyle = msgs.filter((m) => {
    m.link = paused(m) || rng.chance(day.linkRate);
    return m.link;
  });
  let consumed = 0;
  for (const m of msgs) {
    if (m.link) continue;
    const tr = m.trace;
    const p = m.producer;
    const c = tr.span('order-worker', 'kafka', p, KIND.CONSUMER, 'orders process', p.end + rng.ms(3, 900),
      consumerAttributes(p.partition, nextOffset(p.partition), 1));
    const drop = consumed++ === day.dropNotifyAt;
    c.end = handleOrder(tr, c, c.start + rng.ms(0.1, 0.5), m, drop).end + rng.ms(0.05, 0.3);
    day.stats.childConsumers++;
  }
  // Batch receives: messages produced within 40 s of the batch's first are processed together;
  // what piled up while the consumer group was rebalancing is processed as one batch after it.
  const batches = [];
  const backlog = linkStyle.filter(paused);
  for (const m of linkStyle) {
    if (paused(m)) continue;
    const last = batches[batches.length - 1];
    if (last && last.length < 3 && m.producer.end - last[0].producer.end < 40 * SEC) last.push(m);
    else batches.push([m]);
  }
  if (backlog.length) batches.push(backlog);
  batches.sort((a, b) => a[a.length - 1].producer.end - b[b.length - 1].producer.end);
  for (const batch of batches) {
    const ready = batch === backlog ? pauseTo : batch[batch.length - 1].producer.end;
    const t = ready + rng.ms(40, 1500);
    const tr = new Trace(day, t);
    const c = tr.span('order-worker', 'kafka', null, KIND.CONSUMER, 'orders process', t,
      consumerAttributes(batch[0].producer.partition, nextOffset(batch[0].producer.partition), batch.length));
    c.links = batch.map((m) => ({ traceId: m.producer.traceId, spanId: m.producer.spanId }));
    let v = c.start + rng.ms(0.1, 0.5);
    for (const m of batch) {
      nextOffset(m.producer.partition);
      v = handleOrder(tr, c, v, m, false).end + rng.ms(0.05, 0.3);
    }
    c.end = v;
    day.stats.linkRoots++;
    day.stats.linkedMessages += batch.length;
    if (batch.length > 1) day.stats.linkRootsMulti++;
  }
}

// ---------------------------------------------------------------------------------------------
// web-frontend pages (the entry points)

function rootSpan(tr, route, path, method) {
  const session = tr.session;
  const sp = tr.span('web-frontend', 'http', null, KIND.SERVER, `${method} ${route}`, tr.t0, null);
  sp.finish = (status) => {
    sp.attributes = [
      str('http.request.method', method), str('http.route', route), str('url.path', path),
      int('http.response.status_code', status),
    ];
    // Some ingress paths strip the client address; those roots carry no peer attribute at all.
    if (session.peer) {
      sp.attributes.push(str('client.address', session.peer), str('user_agent.original', session.ua));
    } else {
      tr.day.stats.rootsWithoutPeer++;
    }
  };
  return sp;
}

function pageHome(tr) {
  const rng = tr.rng;
  const root = rootSpan(tr, '/', '/', 'GET');
  const render = tr.span('web-frontend', 'app', root, KIND.INTERNAL, 'loadHomePage', root.start + rng.ms(0.2, 0.8),
    [str('code.function.name', 'loadHomePage')]);
  const t = render.start + rng.ms(0.1, 0.3);
  let end = callCatalog(tr, 'web-frontend', render, t, 'ListProducts', null).end;
  if (tr.session.userId) {
    // The cart badge, fetched in parallel with the product list.
    const drop = tr.day.badgeCalls++ === tr.day.dropCartBadgeAt;
    const c = callCart(tr, 'web-frontend', 'undici', render, t + rng.ms(0.05, 0.2), 'GET', tr.session.cartKey, { serverDropped: drop });
    end = Math.max(end, c.end);
  }
  render.end = end + rng.ms(2, 9);
  root.end = render.end + rng.ms(0.3, 1.5);
  root.finish(200);
}

function pageProduct(tr, productId) {
  const rng = tr.rng;
  const root = rootSpan(tr, '/product/{id}', `/product/${productId}`, 'GET');
  const c = callCatalog(tr, 'web-frontend', root, root.start + rng.ms(0.3, 1), 'GetProduct', productId);
  root.end = c.end + rng.ms(1.5, 6);
  root.finish(200);
}

function pageAddToCart(tr) {
  const rng = tr.rng;
  const root = rootSpan(tr, '/cart', '/cart', 'POST');
  const c = callCart(tr, 'web-frontend', 'undici', root, root.start + rng.ms(0.3, 1), 'POST', tr.session.cartKey);
  root.end = c.end + rng.ms(0.3, 1.2);
  root.finish(200);
}

function pageCheckout(tr) {
  const rng = tr.rng;
  const root = rootSpan(tr, '/checkout', '/checkout', 'POST');
  const submit = tr.span('web-frontend', 'app', root, KIND.INTERNAL, 'submitOrder', root.start + rng.ms(0.2, 0.8),
    [str('code.function.name', 'submitOrder')]);
  const { client, declined } = callCheckout(tr, submit, submit.start + rng.ms(0.1, 0.4), tr.session);
  submit.end = client.end + rng.ms(0.1, 0.5);
  if (declined) fail(submit, 'checkout failed: 402 Payment Required');
  root.end = submit.end + rng.ms(0.3, 1.5);
  root.finish(declined ? 402 : 200);
}

function runSession(day, t, buyer, mustOrder = false) {
  const rng = day.rng;
  const loggedIn = rng.chance(0.6);
  const session = {
    userId: loggedIn ? `usr_${rng.hex(8)}` : null,
    peer: rng.chance(0.7) ? `${rng.pick(['203.0.113', '198.51.100', '192.0.2'])}.${rng.int(1, 254)}` : null,
    ua: rng.pick(USER_AGENTS),
    cart: [],
    mustOrder,
  };
  session.cartKey = session.userId ?? `anon_${rng.hex(12)}`;
  day.stats.sessions++;
  const pages = [];
  if (rng.chance(0.85)) pages.push(['home']);
  const views = 1 + (rng.chance(0.5) ? 1 : 0) + (rng.chance(0.2) ? 1 : 0);
  for (let i = 0; i < views; i++) {
    const product = rng.pick(PRODUCTS);
    pages.push(['product', product]);
    if ((buyer && (i === 0 || rng.chance(0.4))) || (!buyer && rng.chance(0.2))) pages.push(['cart', product]);
  }
  if (buyer) pages.push(['checkout']);
  for (const [page, product] of pages) {
    const tr = new Trace(day, t);
    tr.session = session;
    day.stats.pages[page]++;
    if (page === 'home') pageHome(tr);
    else if (page === 'product') pageProduct(tr, product);
    else if (page === 'cart') {
      session.cart.push({ id: product, qty: rng.int(1, 2), priceCents: 500 + rng.int(0, 40) * 250 });
      pageAddToCart(tr);
    } else pageCheckout(tr);
    const end = Math.max(...day.spans.filter((s) => s.traceId === tr.id).map((s) => s.end));
    t = end + rng.ms(3000, 25000); // think time
  }
}

function generateDay(day) {
  const rng = day.rng;
  const n = day.bursts;
  for (let k = 0; k < n; k++) {
    const center = Math.round(((k + 0.15 + 0.7 * rng.float()) * 24 * HOUR) / n);
    const hour = Math.floor(center / HOUR);
    const rebalance = k === day.rebalanceBurst;
    // The order-worker consumer group rebalances for 25 minutes during this burst of buyers.
    if (rebalance) day.consumerPause = [center - 2 * MIN, center + 25 * MIN];
    const sessions = rebalance ? 2 : Math.max(1, HOURLY[hour] - (rng.chance(0.35) ? 1 : 0));
    for (let s = 0; s < sessions; s++) {
      // Every other burst opens with a buyer, so each part of the day has checkouts.
      const buyer = rebalance || (s === 0 && k % 2 === 0) || rng.chance(0.22);
      runSession(day, center + rng.ms(0, 90_000), buyer, rebalance);
    }
  }
  consumeOrders(day);
}

// ---------------------------------------------------------------------------------------------
// The two days

const DAYS = [
  {
    dir: 'day1',
    date: [2026, 10, 28], // 2026-11-28 (months are 0-based in Date.UTC)
    seed: 0x5eed1128,
    bursts: 20,
    rebalanceBurst: 15,
    forced: { 2: 'declined', 4: 'deadlock', 7: 'retry', 12: 'declined' },
    versions: {
      'web-frontend': [['4.12.0']],
      cart: [['1.3.5']],
      catalog: [['3.2.1']],
      checkout: [['2.4.0'], ['2.5.0', 14 * HOUR, 14 * HOUR + 15 * MIN]],
      payments: [['5.0.3']],
      inventory: [['1.8.2'], ['1.9.0', 11 * HOUR, 11 * HOUR + 10 * MIN]],
      'order-worker': [['1.1.0']],
      notifications: [['0.9.4']],
      'fraud-check': [['1.0.0']],
    },
    catalogWritesFrom: null,
    declineRate: 0.1, stripeRetryRate: 0.06, deadlockRate: 0.1, linkRate: 0.15,
    // The Nth cart-badge call (home page) and the Nth notify call lose their server spans.
    dropCartBadgeAt: 4, dropNotifyAt: 6,
    files: [
      // web-frontend pods were moved to the edge Collector at noon; it writes gzip'd JSON Lines.
      { name: 'traces-frontend.jsonl.gz', gzip: true, windowPhase: 4_200 * MS, emptyParentOnRoots: true,
        match: (sp) => sp.res.service === 'web-frontend' && sp.end >= 12 * HOUR },
      { name: 'traces.jsonl', gzip: false, windowPhase: 0, emptyParentOnRoots: false, match: () => true },
    ],
  },
  {
    dir: 'day2',
    date: [2026, 10, 29],
    seed: 0x5eed1129,
    bursts: 18,
    rebalanceBurst: 11,
    forced: { 1: 'retry', 3: 'declined', 6: 'deadlock', 10: 'declined' },
    versions: {
      'web-frontend': [['4.12.0']],
      cart: [['1.3.5']],
      catalog: [['3.2.1']],
      checkout: [['2.5.0'], ['2.6.0', 10 * HOUR, 10 * HOUR + 10 * MIN]],
      payments: [['5.0.3']],
      inventory: [['1.9.0']],
      'order-worker': [['1.1.0']],
      notifications: [['0.9.4']],
      'fraud-check': [['1.0.0']],
    },
    // The catalog team switched on view counting (a feature flag, no deploy) at 08:30.
    catalogWritesFrom: 8 * HOUR + 30 * MIN,
    declineRate: 0.1, stripeRetryRate: 0.06, deadlockRate: 0.1, linkRate: 0.15,
    dropCartBadgeAt: 9, dropNotifyAt: 3,
    files: [{ name: 'traces.jsonl', gzip: false, windowPhase: 0, emptyParentOnRoots: false, match: () => true }],
  },
];

/** The demo's story needs each of these; a change of seed or rates must not lose one silently. */
function checkStats(day) {
  const s = day.stats;
  const need = [
    ['payment declines', s.declined >= 2], ['stripe retries', s.stripeRetries >= 1], ['inventory deadlocks', s.deadlocks >= 1],
    ['mostly child consumers', s.childConsumers > s.linkedMessages], ['link-style consumer roots', s.linkRoots >= 2], ['a multi-link batch', s.linkRootsMulti >= 1],
    ['roots without peer attributes', s.rootsWithoutPeer >= 5], ['spans lost on a server', s.droppedServerSpans >= 2],
  ];
  for (const version of Object.values(day.versions.checkout).map((v) => v[0])) {
    need.push([`checkouts on checkout ${version}`, (s.checkoutsByVersion[version] ?? 0) >= 3]);
  }
  const missing = need.filter(([, ok]) => !ok).map(([what]) => what);
  if (missing.length) throw new Error(`${day.dir}: the generated day lacks ${missing.join(', ')}`);
}

function main() {
  const summary = [];
  for (const cfg of DAYS) {
    const day = new Day(cfg);
    generateDay(day);
    const dir = join(OUT, cfg.dir);
    mkdirSync(dir, { recursive: true });
    const remaining = new Set(day.spans);
    for (const file of cfg.files) {
      const spans = day.spans.filter((sp) => remaining.has(sp) && file.match(sp));
      for (const sp of spans) remaining.delete(sp);
      const text = exportLines(day, spans, file).join('\n') + '\n';
      const bytes = file.gzip
        ? gzipSync(Buffer.from(text, 'utf8'), { level: 9, memLevel: 9, strategy: zlibConstants.Z_DEFAULT_STRATEGY })
        : Buffer.from(text, 'utf8');
      const path = join(dir, file.name);
      writeFileSync(path, bytes);
      summary.push(`${relative(ROOT, path)}: ${bytes.length} bytes, ${text.split('\n').length - 1} lines, ${spans.length} spans, ${new Set(spans.map((s) => s.traceId)).size} traces`);
    }
    checkStats(day);
    summary.push(`  ${cfg.dir}: ${day.traceIds.size} traces, ${day.spans.length} spans; ${JSON.stringify(day.stats)}`);
  }
  process.stdout.write(summary.join('\n') + '\n');
}

main();
