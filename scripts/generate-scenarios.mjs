#!/usr/bin/env node
/**
 * Generates the named test scenarios in fixtures/scenarios/<name>/: two "days" of OTLP/JSON Lines
 * each (day1.jsonl, day2.jsonl), small and focused on one rollback question apiece.
 *
 *   node scripts/generate-scenarios.mjs
 *
 * Scenarios (fixtures/scenarios/<name>/EXPECTED.md tells each story and its expected answers):
 *   new-api           a caller's new version uses an API only the callee's new version serves
 *   schema-change     the callee's new version migrates its database schema (ALTER, then INSERT)
 *   payment-provider  a new third-party dependency with side effects, plus a new operation
 *   queue             producer -> kafka -> two consumers; only a consumer changes version
 *   call-cycle        two services calling each other, both with new operations
 *
 * Deterministic: a seeded PRNG (mulberry32) per scenario and day, fixed dates, no clock, integer
 * arithmetic only. Re-running it rewrites byte-identical files. Traffic volumes are fixed by the
 * schedules below (the PRNG only picks ids, jitter, durations and pods), so every call count in
 * EXPECTED.md can be derived from this file by hand.
 *
 * Lines are written the way the Collector file exporter writes them: one TracesData object per
 * line, spans grouped by resource then scope, each pod flushing every 5 s at its own phase, so the
 * spans of one trace may be spread over lines and a child is often written before its parent.
 * The PRNG, the ids, the OTLP builders and that export are shared with generate-demo.mjs in
 * scripts/lib/otlp-fixtures.mjs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  FixtureDay, FixtureTrace, HOUR, KIND, MS, REPO_ROOT as ROOT, SEC,
  exportLines, fail, fnv1a, httpClientAttributes, int, podResource, resourceAttributes, str,
} from './lib/otlp-fixtures.mjs';

const OUT = join(ROOT, 'fixtures', 'scenarios');

const DATES = [[2026, 11, 7], [2026, 11, 8]]; // 2026-12-07 and 2026-12-08 (UTC; months are 0-based)

// ---------------------------------------------------------------------------------------------
// Stacks: instrumentation scopes per language

const STACKS = {
  nodejs: {
    server: ['@opentelemetry/instrumentation-http', '0.57.2'],
    client: ['@opentelemetry/instrumentation-undici', '0.10.1'],
  },
  go: {
    server: ['go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp', '0.59.0'],
    client: ['go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp', '0.59.0'],
    db: ['github.com/exaring/otelpgx', '0.9.1'],
    messaging: ['github.com/twmb/franz-go/plugin/kotel', '1.5.0'],
  },
  java: {
    server: ['io.opentelemetry.tomcat-10.0', '2.11.0-alpha'],
    client: ['io.opentelemetry.java-http-client', '2.11.0-alpha'],
    db: ['io.opentelemetry.jdbc', '2.11.0-alpha'],
    messaging: ['io.opentelemetry.kafka-clients-2.6', '2.11.0-alpha'],
    app: ['io.opentelemetry.opentelemetry-instrumentation-annotations-1.16', '2.11.0-alpha'],
  },
  python: {
    server: ['opentelemetry.instrumentation.fastapi', '0.50b0'],
    client: ['opentelemetry.instrumentation.httpx', '0.50b0'],
    messaging: ['opentelemetry.instrumentation.confluent_kafka', '0.50b0'],
  },
};

/** The resource of pod `pod` of `service` at `version` (same on both days). */
function resourceFor(scenario, service, version, pod) {
  return podResource(`${scenario.name}/${service}@${version}#${pod}`, (rng) => {
    const lang = scenario.services[service];
    const attributes = resourceAttributes(rng, service, version, lang);
    return {
      service,
      version,
      scopes: { ...STACKS[lang], app: STACKS[lang].app ?? [service, ''] },
      exportPhase: rng.int(0, 4999) * MS,
      attributes,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Days and traces

class Day extends FixtureDay {
  constructor(scenario, index) {
    super(fnv1a(`${scenario.name}/day${index + 1}`), DATES[index]);
    this.scenario = scenario;
    this.index = index;
    this.traces = 0;
  }
}

/** One trace; `versions` pins the version of every service it touches. */
class Trace extends FixtureTrace {
  constructor(day, t0, versions) {
    super(day, t0);
    this.versions = versions;
    day.traces++;
  }
  /** The pod serving `service` in this trace: its pinned version, one of two pods at random. */
  pickPod(service) {
    const version = this.versions[service];
    if (!version) throw new Error(`${this.day.scenario.name}: no version for ${service}`);
    return resourceFor(this.day.scenario, service, version, this.rng.int(0, 1));
  }
}

/** n trace start times spread over [fromH, toH) hours, each within its own slot (so phases never mix). */
function slots(day, fromH, toH, n) {
  const from = fromH * HOUR;
  const gap = Math.floor(((toH - fromH) * HOUR) / n);
  const out = [];
  for (let i = 0; i < n; i++) {
    const jitter = day.rng.int(-Math.floor(gap / 3 / MS), Math.floor(gap / 3 / MS)) * MS;
    out.push(from + i * gap + Math.floor(gap / 2) + jitter + day.rng.int(0, 999_999));
  }
  return out;
}

/** Runs `kinds` (a list of trace kinds) at the slots of one phase, in a deterministic mixed order. */
function phase(day, fromH, toH, kinds, run) {
  const times = slots(day, fromH, toH, kinds.length);
  const order = day.rng.shuffle(kinds);
  order.forEach((kind, i) => run(kind, times[i], i));
}

const repeat = (kind, n) => Array.from({ length: n }, () => kind);

// ---------------------------------------------------------------------------------------------
// Span shapes (current semantic conventions; the Java agent's JDBC keys where noted)

const CLIENT_IPS = ['203.0.113.17', '198.51.100.42', '203.0.113.88', '192.0.2.61', '198.51.100.7'];

/** A root SERVER span (an entry point: no parent, no peer name). */
function rootServer(tr, service, t, method, route, path, opts = {}) {
  const attributes = [
    str('http.request.method', method), str('http.route', route), str('url.path', path),
    str('client.address', opts.clientAddress ?? tr.rng.pick(CLIENT_IPS)),
  ];
  return tr.span(service, 'server', null, KIND.SERVER, `${method} ${route}`, t, attributes);
}

function finishServer(sp, end, status) {
  sp.end = end;
  sp.attributes.push(int('http.response.status_code', status));
  if (status >= 500) {
    sp.attributes.push(str('error.type', String(status)));
    fail(sp);
  }
}

/**
 * A sync HTTP call: CLIENT span in `caller`, SERVER span in `callee`; `handle(server, t)` does the
 * callee's work and returns [end, status]. Returns the CLIENT span.
 */
function httpCall(tr, caller, parent, t, callee, req, handle) {
  const client = tr.span(caller, 'client', parent, KIND.CLIENT, req.method, t);
  const server = tr.span(callee, 'server', client, KIND.SERVER, `${req.method} ${req.route}`, t + tr.rng.ms(0.3, 1.2), [
    str('http.request.method', req.method), str('http.route', req.route), str('url.path', req.path),
  ]);
  const [end, status] = handle(server, server.start + tr.rng.ms(0.05, 0.3));
  finishServer(server, end + tr.rng.ms(0.05, 0.4), status);
  client.end = server.end + tr.rng.ms(0.3, 1.2);
  const url = `http://${req.host}:${req.port}${req.path}${req.query ? `?${req.query}` : ''}`;
  client.attributes = httpClientAttributes(req.method, url, status);
  if (status >= 400) fail(client);
  return client;
}

/** A call to a third-party HTTPS API (CLIENT span, no child). */
function externalCall(tr, service, parent, t, method, host, path, template, status, ms) {
  const sp = tr.span(service, 'client', parent, KIND.CLIENT, method, t, [
    str('http.request.method', method), str('url.full', `https://${host}${path}`), str('url.template', template),
    str('server.address', host), int('server.port', 443), int('http.response.status_code', status),
  ]);
  sp.end = t + tr.rng.ms(...ms);
  if (status >= 400) {
    sp.attributes.push(str('error.type', String(status)));
    fail(sp);
  }
  return sp;
}

/**
 * A database call (CLIENT span, no child). style 'current': db.system.name, db.namespace,
 * db.operation.name (when op is given), db.query.text. style 'java': the Java agent's db.system,
 * db.name, db.statement, db.operation (when op is given), server.address.
 */
function dbCall(tr, service, parent, t, q) {
  let name;
  let attributes;
  if (q.style === 'java') {
    name = q.op ? `${q.op} ${q.namespace}.${q.table}` : q.namespace;
    attributes = [str('db.system', 'postgresql'), str('db.name', q.namespace), str('db.statement', q.text)];
    if (q.op) attributes.push(str('db.operation', q.op), str('db.sql.table', q.table));
    attributes.push(str('server.address', q.host));
  } else {
    name = `${q.op} ${q.table}`;
    attributes = [
      str('db.system.name', 'postgresql'), str('db.namespace', q.namespace), str('db.operation.name', q.op),
      str('db.query.text', q.text), str('server.address', q.host),
    ];
  }
  const sp = tr.span(service, 'db', parent, KIND.CLIENT, name, t, attributes);
  sp.end = t + tr.rng.ms(...(q.ms ?? [0.4, 3]));
  return sp;
}

// ---------------------------------------------------------------------------------------------
// Scenario 1: new-api

const ORDERS_DB = { namespace: 'orders', host: 'pg-orders.db.internal' };

function ordersApi(tr, server, t, api, found) {
  const rng = tr.rng;
  if (api === 'v2') {
    const sp = dbCall(tr, 'orders-api', server, t, {
      ...ORDERS_DB, op: 'SELECT', table: 'orders',
      text: 'SELECT o.id, o.status, o.total_cents, i.sku, i.qty FROM orders o LEFT JOIN order_items i ON i.order_id = o.id WHERE o.id = $1',
    });
    return [sp.end + rng.ms(0.1, 0.6), 200];
  }
  let v = dbCall(tr, 'orders-api', server, t, {
    ...ORDERS_DB, op: 'SELECT', table: 'orders', text: 'SELECT id, user_id, status, total_cents, created_at FROM orders WHERE id = $1',
  }).end;
  if (!found) return [v + rng.ms(0.1, 0.4), 404];
  v = dbCall(tr, 'orders-api', server, v + rng.ms(0.02, 0.1), {
    ...ORDERS_DB, op: 'SELECT', table: 'order_items', text: 'SELECT sku, qty, price_cents FROM order_items WHERE order_id = $1',
  }).end;
  return [v + rng.ms(0.1, 0.6), 200];
}

function newApiTrace(day, kind, t, versions) {
  const tr = new Trace(day, t, versions);
  const rng = tr.rng;
  const orderId = `ord_${rng.b36(10)}`;
  const api = kind === 'web' && versions.web === '3.1.0' ? 'v2' : 'v1';
  const found = kind !== 'mobile-404';
  const caller = kind === 'web' ? 'web' : 'mobile-bff';
  const root = caller === 'web'
    ? rootServer(tr, 'web', t, 'GET', '/account/orders/:orderId', `/account/orders/${orderId}`)
    : rootServer(tr, 'mobile-bff', t, 'GET', '/m/v3/orders/{orderId}', `/m/v3/orders/${orderId}`);
  const req = {
    method: 'GET', host: 'orders-api', port: 8080,
    route: api === 'v2' ? '/v2/orders/{id}' : '/v1/orders/{id}',
    path: `/${api}/orders/${orderId}`,
  };
  const client = httpCall(tr, caller, root, t + rng.ms(0.5, 3), 'orders-api', req, (server, u) => ordersApi(tr, server, u, api, found));
  finishServer(root, client.end + rng.ms(1, 8), found ? 200 : 404);
}

const newApi = {
  name: 'new-api',
  services: { web: 'nodejs', 'mobile-bff': 'go', 'orders-api': 'go' },
  days: [
    (day) => {
      const versions = { web: '3.0.0', 'mobile-bff': '2.7.1', 'orders-api': '1.4.0' };
      // 16 web + 8 mobile-bff order lookups; one mobile lookup asks for an order that does not exist.
      phase(day, 6, 22, [...repeat('web', 16), ...repeat('mobile', 7), 'mobile-404'], (kind, t) => newApiTrace(day, kind, t, versions));
    },
    (day) => {
      // 06-09: as yesterday. 09-14: orders-api 1.5.0 (serves v1 and v2). 14-22: web 3.1.0 (uses v2 only).
      const before = { web: '3.0.0', 'mobile-bff': '2.7.1', 'orders-api': '1.4.0' };
      const apiOut = { ...before, 'orders-api': '1.5.0' };
      const webOut = { ...apiOut, web: '3.1.0' };
      phase(day, 6, 9, [...repeat('web', 3), ...repeat('mobile', 2)], (kind, t) => newApiTrace(day, kind, t, before));
      phase(day, 9, 14, [...repeat('web', 6), ...repeat('mobile', 3)], (kind, t) => newApiTrace(day, kind, t, apiOut));
      phase(day, 14, 22, [...repeat('web', 10), ...repeat('mobile', 5)], (kind, t) => newApiTrace(day, kind, t, webOut));
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// Scenario 2: schema-change

const BILLING_DB = { style: 'java', namespace: 'billing', host: 'pg-billing.db.internal' };

function reportsTrace(day, t, versions) {
  const tr = new Trace(day, t, versions);
  const rng = tr.rng;
  const month = `2026-${rng.pick(['09', '10', '11'])}`;
  const root = rootServer(tr, 'reports', t, 'GET', '/reports/revenue', '/reports/revenue');
  root.attributes.push(str('url.query', `month=${month}`));
  const req = { method: 'GET', host: 'billing', port: 8080, route: '/invoices', path: '/invoices', query: `month=${month}&status=paid` };
  const client = httpCall(tr, 'reports', root, t + rng.ms(0.5, 2), 'billing', req, (server, u) => {
    const cols = versions.billing === '2.1.0' ? 'id, customer_id, amount_cents, currency, tax_id, issued_at' : 'id, customer_id, amount_cents, currency, issued_at';
    const sp = dbCall(tr, 'billing', server, u, {
      ...BILLING_DB, op: 'SELECT', table: 'invoices', ms: [2, 12],
      text: `select ${cols} from invoices where issued_at >= ? and issued_at < ? and status = ?`,
    });
    return [sp.end + rng.ms(0.5, 3), 200];
  });
  finishServer(root, client.end + rng.ms(2, 15), 200);
}

function issueInvoiceTrace(day, t, versions) {
  const tr = new Trace(day, t, versions);
  const rng = tr.rng;
  const root = rootServer(tr, 'billing', t, 'POST', '/invoices', '/invoices', { clientAddress: '10.8.3.21' });
  let v = dbCall(tr, 'billing', root, t + rng.ms(0.3, 1), {
    ...BILLING_DB, op: 'INSERT', table: 'invoices',
    text: 'insert into invoices (id, customer_id, amount_cents, currency, tax_id, issued_at) values (?, ?, ?, ?, ?, ?)',
  }).end;
  for (let i = 0; i < 2; i++) {
    v = dbCall(tr, 'billing', root, v + rng.ms(0.02, 0.1), {
      ...BILLING_DB, op: 'INSERT', table: 'invoice_lines',
      text: 'insert into invoice_lines (invoice_id, sku, qty, amount_cents) values (?, ?, ?, ?)',
    }).end;
  }
  finishServer(root, v + rng.ms(0.2, 1), 201);
}

/** billing 2.1.0 at start-up: one schema migration (a root INTERNAL span, not an entry point). */
function migrationTrace(day, t, versions) {
  const tr = new Trace(day, t, versions);
  const rng = tr.rng;
  const root = tr.span('billing', 'app', null, KIND.INTERNAL, 'SchemaMigrator.migrate', t, [
    str('code.function.name', 'com.example.billing.db.SchemaMigrator.migrate'), str('app.migration.id', 'V14__invoice_tax_id'),
  ]);
  // No db.operation here: the agent does not name DDL operations; the statement is the evidence.
  const alter = dbCall(tr, 'billing', root, t + rng.ms(2, 6), { ...BILLING_DB, text: 'ALTER TABLE invoices ADD COLUMN tax_id text', ms: [30, 90] });
  root.end = alter.end + rng.ms(1, 4);
}

const schemaChange = {
  name: 'schema-change',
  services: { reports: 'python', billing: 'java' },
  days: [
    (day) => {
      const versions = { reports: '1.3.2', billing: '2.0.0' };
      phase(day, 6, 22, repeat('report', 24), (kind, t) => reportsTrace(day, t, versions));
    },
    (day) => {
      const before = { reports: '1.3.2', billing: '2.0.0' };
      const after = { reports: '1.3.2', billing: '2.1.0' };
      phase(day, 6, 10, repeat('report', 6), (kind, t) => reportsTrace(day, t, before));
      migrationTrace(day, 10 * HOUR + 4 * SEC + 217 * MS, after);
      phase(day, 10.25, 22, [...repeat('report', 12), ...repeat('issue', 12)], (kind, t) => {
        if (kind === 'report') reportsTrace(day, t, after);
        else issueInvoiceTrace(day, t, after);
      });
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// Scenario 3: payment-provider

function paymentsHandler(tr, server, t, version, declined) {
  const rng = tr.rng;
  const charge = tr.span('payments', 'app', server, KIND.INTERNAL, 'ChargeService.charge', t, [
    str('code.function.name', 'com.example.payments.ChargeService.charge'),
  ]);
  let v = charge.start + rng.ms(0.1, 0.5);
  let status = 201;
  if (version === '5.1.0') {
    const cus = `cus_${rng.b36(14)}`;
    v = externalCall(tr, 'payments', charge, v, 'GET', 'api.stripe.com', `/v1/customers/${cus}`, '/v1/customers/{id}', 200, [60, 180]).end;
    v = externalCall(tr, 'payments', charge, v + rng.ms(0.2, 1), 'POST', 'api.stripe.com', '/v1/payment_intents', '/v1/payment_intents', declined ? 402 : 200, [180, 600]).end;
    if (declined) status = 402;
  } else {
    v += rng.ms(3, 9); // 5.0.0 only records the charge for the acquirer's nightly batch file
  }
  charge.end = v + rng.ms(0.1, 0.5);
  return [charge.end + rng.ms(0.1, 0.5), status];
}

function checkoutTrace(day, kind, t, versions) {
  const tr = new Trace(day, t, versions);
  const rng = tr.rng;
  const root = rootServer(tr, 'checkout', t, 'POST', '/checkout', '/checkout');
  const place = tr.span('checkout', 'app', root, KIND.INTERNAL, 'PlaceOrder', t + rng.ms(0.2, 1));
  const route = versions.checkout === '8.3.0' ? '/v2/charges' : '/v1/charges';
  const req = { method: 'POST', host: 'payments', port: 8080, route, path: route };
  const client = httpCall(tr, 'checkout', place, place.start + rng.ms(1, 4), 'payments', req,
    (server, u) => paymentsHandler(tr, server, u, versions.payments, kind === 'declined'));
  place.end = client.end + rng.ms(0.2, 2);
  finishServer(root, place.end + rng.ms(0.3, 2), kind === 'declined' ? 402 : 201);
}

const paymentProvider = {
  name: 'payment-provider',
  services: { checkout: 'go', payments: 'java' },
  days: [
    (day) => {
      const versions = { checkout: '8.2.0', payments: '5.0.0' };
      phase(day, 6, 22, repeat('ok', 24), (kind, t) => checkoutTrace(day, kind, t, versions));
    },
    (day) => {
      // 06-09 as yesterday; 09-13 payments 5.1.0 (Stripe); 13-22 checkout 8.3.0 (POST /v2/charges).
      const before = { checkout: '8.2.0', payments: '5.0.0' };
      const stripe = { ...before, payments: '5.1.0' };
      const v2 = { ...stripe, checkout: '8.3.0' };
      phase(day, 6, 9, repeat('ok', 5), (kind, t) => checkoutTrace(day, kind, t, before));
      phase(day, 9, 13, [...repeat('ok', 7), 'declined'], (kind, t) => checkoutTrace(day, kind, t, stripe));
      phase(day, 13, 22, [...repeat('ok', 13), 'declined'], (kind, t) => checkoutTrace(day, kind, t, v2));
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// Scenario 4: queue

function consumerSpan(tr, service, parent, t, group, partition, offset) {
  return tr.span(service, 'messaging', parent, KIND.CONSUMER, 'process order-events', t, [
    str('messaging.system', 'kafka'), str('messaging.destination.name', 'order-events'), str('messaging.operation.type', 'process'),
    str('messaging.consumer.group.name', group),
    str('messaging.destination.partition.id', String(partition)), int('messaging.kafka.offset', offset),
  ]);
}

function orderTrace(day, kind, t, versions, offsets) {
  const tr = new Trace(day, t, versions);
  const rng = tr.rng;
  const orderId = `ord_${rng.b36(10)}`;
  const root = rootServer(tr, 'orders', t, 'POST', '/orders', '/orders');
  const partition = rng.int(0, 5);
  const producer = tr.span('orders', 'messaging', root, KIND.PRODUCER, 'send order-events', t + rng.ms(2, 6), [
    str('messaging.system', 'kafka'), str('messaging.destination.name', 'order-events'), str('messaging.operation.type', 'send'),
    str('messaging.kafka.message.key', orderId),
    str('messaging.destination.partition.id', String(partition)),
  ]);
  producer.end = producer.start + rng.ms(0.8, 4);
  finishServer(root, producer.end + rng.ms(0.5, 2), 201);
  offsets[partition] = (offsets[partition] ?? 1000 + partition * 137) + 1;
  const offset = offsets[partition];

  // shipping: book a shipment with the carrier gateway
  const ship = consumerSpan(tr, 'shipping', producer, producer.end + rng.ms(5, 60), 'shipping', partition, offset);
  let v = ship.start + rng.ms(0.2, 1);
  if (versions.shipping === '3.5.0') {
    const norm = tr.span('shipping', 'app', ship, KIND.INTERNAL, 'AddressNormalizer.Normalize', v);
    norm.end = v + rng.ms(0.5, 2);
    v = norm.end;
  }
  const book = (at, status) => httpCall(tr, 'shipping', ship, at, 'carrier-gateway',
    { method: 'POST', host: 'carrier-gateway', port: 8080, route: '/v1/shipments', path: '/v1/shipments' },
    (server, u) => [u + rng.ms(...(status === 503 ? [1, 4] : [40, 160])), status]);
  if (kind === 'carrier-503') v = book(v, 503).end + rng.ms(200, 260);
  v = book(v, 201).end;
  ship.end = v + rng.ms(0.2, 1);

  // invoicing: draft the invoice
  const inv = consumerSpan(tr, 'invoicing', producer, producer.end + rng.ms(5, 60), 'invoicing', partition, offset);
  const draft = tr.span('invoicing', 'app', inv, KIND.INTERNAL, 'draft_invoice', inv.start + rng.ms(0.2, 1), [str('app.order.id', orderId)]);
  draft.end = draft.start + rng.ms(2, 8);
  inv.end = draft.end + rng.ms(0.2, 1);
}

const queue = {
  name: 'queue',
  services: { orders: 'java', shipping: 'go', invoicing: 'python', 'carrier-gateway': 'go' },
  days: [
    (day) => {
      const versions = { orders: '4.2.0', shipping: '3.4.0', invoicing: '2.2.0', 'carrier-gateway': '1.1.0' };
      const offsets = {};
      phase(day, 6, 22, repeat('ok', 20), (kind, t) => orderTrace(day, kind, t, versions, offsets));
    },
    (day) => {
      const before = { orders: '4.2.0', shipping: '3.4.0', invoicing: '2.2.0', 'carrier-gateway': '1.1.0' };
      const after = { ...before, shipping: '3.5.0' };
      const offsets = {};
      phase(day, 6, 11, repeat('ok', 6), (kind, t) => orderTrace(day, kind, t, before, offsets));
      phase(day, 11, 22, [...repeat('ok', 15), 'carrier-503'], (kind, t) => orderTrace(day, kind, t, after, offsets));
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// Scenario 5: call-cycle

function accountTrace(day, t, versions) {
  const tr = new Trace(day, t, versions);
  const rng = tr.rng;
  const acc = `acc_${rng.b36(8)}`;
  const next = versions.accounts === '2.4.0';
  const root = rootServer(tr, 'gateway', t, 'GET', '/api/accounts/{id}', `/api/accounts/${acc}`);
  const client = httpCall(tr, 'gateway', root, t + rng.ms(0.3, 1.5), 'accounts',
    { method: 'GET', host: 'accounts', port: 8080, route: '/accounts/{id}', path: `/accounts/${acc}` },
    (server, u) => {
      const req = next
        ? { method: 'GET', host: 'profiles', port: 8000, route: '/profiles/{id}', path: `/profiles/${acc}` }
        : { method: 'GET', host: 'profiles', port: 8000, route: '/profiles/{id}/summary', path: `/profiles/${acc}/summary` };
      const pc = httpCall(tr, 'accounts', server, u + rng.ms(0.5, 2), 'profiles', req, (pserver, w) => {
        if (!next) return [w + rng.ms(2, 8), 200];
        // profiles 1.9.0 embeds the account's status badge
        const sc = httpCall(tr, 'profiles', pserver, w + rng.ms(0.5, 2), 'accounts',
          { method: 'GET', host: 'accounts', port: 8080, route: '/accounts/{id}/status', path: `/accounts/${acc}/status` },
          (sserver, x) => [x + rng.ms(1, 4), 200]);
        return [sc.end + rng.ms(0.5, 3), 200];
      });
      return [pc.end + rng.ms(0.5, 2), 200];
    });
  finishServer(root, client.end + rng.ms(0.5, 3), 200);
}

const callCycle = {
  name: 'call-cycle',
  services: { gateway: 'go', accounts: 'java', profiles: 'python' },
  days: [
    (day) => {
      const versions = { gateway: '1.12.0', accounts: '2.3.0', profiles: '1.8.0' };
      phase(day, 6, 22, repeat('get', 24), (kind, t) => accountTrace(day, t, versions));
    },
    (day) => {
      // accounts 2.4.0 and profiles 1.9.0 ship together at 10:00.
      const before = { gateway: '1.12.0', accounts: '2.3.0', profiles: '1.8.0' };
      const after = { gateway: '1.12.0', accounts: '2.4.0', profiles: '1.9.0' };
      phase(day, 6, 10, repeat('get', 6), (kind, t) => accountTrace(day, t, before));
      phase(day, 10, 22, repeat('get', 20), (kind, t) => accountTrace(day, t, after));
    },
  ],
};

// ---------------------------------------------------------------------------------------------

const SCENARIOS = [newApi, schemaChange, paymentProvider, queue, callCycle];

function main() {
  for (const scenario of SCENARIOS) {
    const dir = join(OUT, scenario.name);
    mkdirSync(dir, { recursive: true });
    scenario.days.forEach((build, index) => {
      const day = new Day(scenario, index);
      build(day);
      if (day.traces < 20 || day.traces > 60) throw new Error(`${scenario.name} day ${index + 1}: ${day.traces} traces`);
      // The Collector's batch windows start at a random phase of each day.
      const windowPhase = day.rng.int(0, 4999) * MS;
      const text = `${exportLines(day, day.spans, { windowPhase }).join('\n')}\n`;
      if (text.length >= 150_000) throw new Error(`${scenario.name} day ${index + 1}: ${text.length} bytes`);
      const file = join(dir, `day${index + 1}.jsonl`);
      writeFileSync(file, text);
      console.log(`${relative(ROOT, file)}: ${text.split('\n').length - 1} lines, ${day.spans.length} spans, ${day.traces} traces, ${text.length} bytes`);
    });
  }
}

main();
