import { describe, expect, it } from 'vitest';
import { KIND, derive, deriveFiles, edgeLines, hexId, otlpDocument, otlpLines } from '../helpers/otlp.js';

describe('R1 parent/child across services', () => {
  it('makes one sync call per cross-service pair, without span kinds', async () => {
    const d = await derive(
      otlpDocument([
        { service: 'checkout', spans: [{ id: 'c1', kind: KIND.unspecified }, { id: 'c2', parent: 'c1', kind: KIND.unspecified }] },
        { service: 'payments', spans: [{ id: 'p1', parent: 'c2', kind: KIND.unspecified, name: 'charge' }] },
      ]),
    );
    expect(edgeLines(d)).toEqual(['checkout -> payments sync 1/0']);
    expect(d.view.edges[0]!.operations).toEqual([{ name: 'charge', calls: 1, calleeVersions: [], callerVersions: [] }]);
  });

  it('is async through the queue named on either span when the parent is a PRODUCER or the child a CONSUMER', async () => {
    const d = await derive(
      otlpDocument([
        {
          service: 'checkout',
          spans: [{ id: 'p1', kind: KIND.producer, attrs: { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' } }],
        },
        { service: 'order-worker', spans: [{ id: 'c1', parent: 'p1', kind: KIND.consumer, name: 'orders process' }] },
      ]),
    );
    expect(edgeLines(d)).toEqual(['checkout -> order-worker async 1/0']);
    expect(d.view.edges[0]!.via).toBe('kafka:orders');
  });

  it('pairs a parent that arrives after its child, later in the file or in another input', async () => {
    const worker = { service: 'payments', spans: [{ id: 'p1', parent: 'c1', kind: KIND.server }] };
    const caller = { service: 'checkout', spans: [{ id: 'c1', kind: KIND.client }] };
    const sameFile = await derive(otlpLines([worker, caller]));
    expect(edgeLines(sameFile)).toEqual(['checkout -> payments sync 1/0']);
    const twoFiles = await deriveFiles({ 'a.jsonl': otlpLines([worker]), 'b.jsonl': otlpLines([caller]) });
    expect(edgeLines(twoFiles)).toEqual(['checkout -> payments sync 1/0']);
    expect(twoFiles.stats.missingParents).toBe(0);
  });

  it('counts a child whose parent never arrives as a missing parent, and makes no edge', async () => {
    const d = await derive(otlpDocument([{ service: 'payments', spans: [{ id: 'p1', parent: 'zz', kind: KIND.server }] }]));
    expect(edgeLines(d)).toEqual([]);
    expect(d.stats.missingParents).toBe(1);
  });
});

describe('R2 span links', () => {
  const producer = {
    service: 'checkout',
    spans: [{ id: 'p1', kind: KIND.producer, attrs: { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' } }],
  };

  it('makes one async call per linked service for a batch consumer in another trace', async () => {
    const other = hexId('t2', 32);
    const d = await derive(
      otlpDocument([
        producer,
        {
          service: 'order-worker',
          spans: [{ trace: other, id: 'b1', kind: KIND.consumer, name: 'orders receive', links: [{ id: 'p1' }] }],
        },
      ]),
    );
    expect(edgeLines(d)).toEqual(['checkout -> order-worker async 1/0']);
    expect(d.view.edges[0]!.via).toBe('kafka:orders');
    // Linked, so neither a leaf exit to the queue nor an entry point.
    expect(d.view.nodes.find((n) => n.id === 'order-worker')!.entrypoint).toBe(false);
  });

  it('does not count twice when R1 already paired the same services', async () => {
    const d = await derive(
      otlpDocument([
        producer,
        { service: 'order-worker', spans: [{ id: 'c1', parent: 'p1', kind: KIND.consumer, links: [{ id: 'p1' }] }] },
      ]),
    );
    expect(edgeLines(d)).toEqual(['checkout -> order-worker async 1/0']);
  });
});

describe('R3 leaf exits', () => {
  async function exitTo(attrs: Record<string, string>, kind: number = KIND.client) {
    const d = await derive(otlpDocument([{ service: 'payments', spans: [{ id: 's1', kind, name: 'exit', attrs }] }]));
    return { d, edges: edgeLines(d), node: d.view.nodes.find((n) => n.id !== 'payments') };
  }

  it('names a database by system and namespace, falling back to server.address, then the system', async () => {
    expect((await exitTo({ 'db.system.name': 'postgresql', 'db.namespace': 'payments' })).edges).toEqual([
      'payments -> postgresql:payments database 1/0',
    ]);
    expect((await exitTo({ 'db.system': 'mysql', 'db.name': 'ledger' })).edges).toEqual(['payments -> mysql:ledger database 1/0']);
    expect((await exitTo({ 'db.system': 'redis', 'server.address': 'cache.internal' })).edges).toEqual([
      'payments -> redis:cache.internal database 1/0',
    ]);
    const bare = await exitTo({ 'db.system': 'redis' });
    expect(bare.edges).toEqual(['payments -> redis database 1/0']);
    expect(bare.node!.kind).toBe('database');
  });

  it('prefers an explicit peer name for a database', async () => {
    expect((await exitTo({ 'db.system': 'postgresql', 'db.name': 'x', 'peer.service': 'ledger-db' })).edges).toEqual([
      'payments -> ledger-db database 1/0',
    ]);
  });

  it('names a queue by system and destination', async () => {
    const r = await exitTo({ 'messaging.system': 'kafka', 'messaging.destination': 'refunds' }, KIND.producer);
    expect(r.edges).toEqual(['payments -> kafka:refunds async 1/0']);
    expect(r.node!.kind).toBe('queue');
  });

  it('names a third party by peer name, server.address, net.peer.name or the host of the URL', async () => {
    expect((await exitTo({ 'peer.service': 'stripe' })).edges).toEqual(['payments -> stripe external 1/0']);
    expect((await exitTo({ 'service.peer.name': 'stripe' })).edges).toEqual(['payments -> stripe external 1/0']);
    expect((await exitTo({ 'server.address': 'api.stripe.com' })).edges).toEqual(['payments -> api.stripe.com external 1/0']);
    expect((await exitTo({ 'net.peer.name': 'api.stripe.com' })).edges).toEqual(['payments -> api.stripe.com external 1/0']);
    const url = await exitTo({ 'http.request.method': 'POST', 'url.full': 'https://API.stripe.com:443/v1/charges?x=1' });
    expect(url.edges).toEqual(['payments -> api.stripe.com external 1/0']);
    expect(url.d.view.edges[0]!.operations[0]!.name).toBe('POST /v1/charges');
    expect(url.node!.kind).toBe('external');
  });

  it('goes to the instrumented service of that name, whose server span was sampled away', async () => {
    const d = await derive(
      otlpDocument([
        { service: 'checkout', spans: [{ id: 'c1', kind: KIND.client, attrs: { 'peer.service': 'payments' } }] },
        { service: 'payments', spans: [{ id: 'p9', kind: KIND.server }] },
      ]),
    );
    expect(edgeLines(d)).toEqual(['checkout -> payments sync 1/0']);
  });

  it('counts an exit with nothing resolvable, and never invents a node', async () => {
    const r = await exitTo({ 'http.url': 'app:80' });
    expect(r.edges).toEqual([]);
    expect(r.d.stats.unresolvedExits).toBe(1);
    expect(r.d.view.nodes.map((n) => n.id)).toEqual(['payments']);
  });

  it('only applies to CLIENT and PRODUCER spans without a child in another service', async () => {
    expect((await exitTo({ 'peer.service': 'stripe' }, KIND.internal)).edges).toEqual([]);
    const d = await derive(
      otlpDocument([
        { service: 'checkout', spans: [{ id: 'c1', kind: KIND.client, attrs: { 'peer.service': 'payments-lb' } }] },
        { service: 'payments', spans: [{ id: 'p1', parent: 'c1', kind: KIND.server }] },
      ]),
    );
    expect(edgeLines(d)).toEqual(['checkout -> payments sync 1/0']);
  });

  it('names the operation from db.operation.name, the first keyword of the statement, or HTTP method and path', async () => {
    const op = async (attrs: Record<string, string>) => (await exitTo(attrs)).d.view.edges[0]!.operations[0]!.name;
    expect(await op({ 'db.system': 'redis', 'db.operation.name': 'SET' })).toBe('SET');
    expect(await op({ 'db.system': 'postgresql', 'db.statement': '/* tx */ insert into t values (1)' })).toBe('INSERT');
    expect(await op({ 'db.system': 'postgresql', 'db.query.text': '(SELECT 1)' })).toBe('SELECT');
    expect(await op({ 'peer.service': 'stripe', 'http.method': 'DELETE', 'url.path': '/v1/cards/1' })).toBe('DELETE /v1/cards/1');
    expect(await op({ 'peer.service': 'stripe' })).toBe('exit');
  });
});

describe('R4 self-calls', () => {
  it('counts a loopback call once, even when the client span also names its host', async () => {
    const d = await derive(
      otlpDocument([
        {
          service: 'checkout',
          spans: [
            { id: 'c1', kind: KIND.client, attrs: { 'server.address': 'checkout' } },
            { id: 's1', parent: 'c1', kind: KIND.server },
          ],
        },
      ]),
    );
    expect(edgeLines(d)).toEqual([]);
    expect(d.stats.selfCalls).toBe(1);
    expect(d.stats.unresolvedExits).toBe(0);
  });

  it('counts a service calling itself and makes no edge', async () => {
    const d = await derive(
      otlpDocument([
        {
          service: 'checkout',
          spans: [
            { id: 'c1', kind: KIND.client },
            { id: 's1', parent: 'c1', kind: KIND.server },
            { id: 'c2', kind: KIND.client, attrs: { 'peer.service': 'checkout' } },
          ],
        },
      ]),
    );
    expect(edgeLines(d)).toEqual([]);
    expect(d.stats.selfCalls).toBe(2);
  });
});

describe('R5 entry points', () => {
  it('marks a root SERVER span without a named caller as an entry point', async () => {
    const d = await derive(otlpDocument([{ service: 'web-frontend', spans: [{ id: 'r1', kind: KIND.server, attrs: { 'client.address': '10.0.0.1' } }] }]));
    expect(d.view.nodes).toEqual([
      {
        id: 'web-frontend',
        kind: 'service',
        versions: [],
        entrypoint: true,
        environments: [],
        rollback: { fromVersion: null, toVersion: null, mustRevertWith: [], compensate: [], dampen: [] },
      },
    ]);
    expect(edgeLines(d)).toEqual([]);
  });

  it('makes a call from the caller a root span names: a peer for a server, the queue for a consumer', async () => {
    const d = await derive(
      otlpDocument([
        { service: 'web-frontend', spans: [{ id: 'r1', kind: KIND.server, name: 'GET /', attrs: { 'peer.service': 'mobile-app' } }] },
        {
          service: 'order-worker',
          spans: [{ id: 'r2', kind: KIND.consumer, attrs: { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' } }],
        },
      ]),
    );
    expect(edgeLines(d)).toEqual(['kafka:orders -> order-worker async 1/0', 'mobile-app -> web-frontend sync 1/0']);
    expect(d.view.nodes.find((n) => n.id === 'mobile-app')!.kind).toBe('external');
    expect(d.view.nodes.find((n) => n.id === 'kafka:orders')!.kind).toBe('queue');
  });

  it('does not mark spans with a parent, or other kinds, as entry points', async () => {
    const d = await derive(
      otlpDocument([{ service: 'batch', spans: [{ id: 'r1', kind: KIND.internal }, { id: 's1', parent: 'r1', kind: KIND.server }] }]),
    );
    expect(d.view.nodes[0]!.entrypoint).toBe(false);
  });
});

describe('R6 errors', () => {
  it('counts a call as an error when either span has status ERROR', async () => {
    const d = await derive(
      otlpDocument([
        { service: 'checkout', spans: [{ id: 'c1', kind: KIND.client, error: true }, { id: 'c2', kind: KIND.client }] },
        { service: 'payments', spans: [{ id: 'p1', parent: 'c1', kind: KIND.server }, { id: 'p2', parent: 'c2', kind: KIND.server, error: true }] },
      ]),
    );
    expect(edgeLines(d)).toEqual(['checkout -> payments sync 2/2']);
  });
});

describe('what every edge keeps', () => {
  it('operations with the callee versions that served them, versions, environments, first/last seen, sample traces', async () => {
    const traces = ['t1', 't2', 't3', 't4'].map((t) => hexId(t, 32));
    const d = await derive(
      otlpDocument([
        {
          service: 'checkout',
          version: '2.4.0',
          env: 'production',
          spans: traces.map((trace, i) => ({ trace, id: `c${i}`, kind: KIND.client, start: String(1_764_000_000_000_000_000n + BigInt(i) * 60_000_000_000n) })),
        },
        {
          service: 'inventory',
          version: '1.8.2',
          env: 'production',
          spans: traces.slice(0, 3).map((trace, i) => ({
            trace,
            id: `i${i}`,
            parent: `c${i}`,
            kind: KIND.server,
            attrs: { 'http.request.method': 'GET', 'http.route': '/stock/{sku}' },
            start: String(1_764_000_000_000_000_000n + BigInt(i) * 60_000_000_000n),
          })),
        },
        {
          service: 'inventory',
          version: '1.9.0',
          env: 'production',
          spans: [
            {
              trace: traces[3],
              id: 'i3',
              parent: 'c3',
              kind: KIND.server,
              attrs: { 'http.method': 'POST', 'http.route': '/inventory/reserve' },
              start: String(1_764_000_000_000_000_000n + 3n * 60_000_000_000n),
            },
          ],
        },
      ]),
    );
    const edge = d.view.edges[0]!;
    expect(edge).toMatchObject({
      from: 'checkout',
      to: 'inventory',
      type: 'sync',
      calls: 4,
      errors: 0,
      operations: [
        { name: 'GET /stock/{sku}', calls: 3, calleeVersions: ['1.8.2'], callerVersions: ['2.4.0'] },
        { name: 'POST /inventory/reserve', calls: 1, calleeVersions: ['1.9.0'], callerVersions: ['2.4.0'] },
      ],
      via: null,
      callerVersions: ['2.4.0'],
      calleeVersions: ['1.8.2', '1.9.0'],
      environments: ['production'],
      firstSeen: '2025-11-24T16:00:00.000Z',
      lastSeen: '2025-11-24T16:03:00.000Z',
      sampleTraceIds: traces.slice(0, 3),
    });
    expect(d.view.nodes.find((n) => n.id === 'inventory')!.versions).toEqual(['1.8.2', '1.9.0']);
  });

  it('--env keeps only calls and services of that environment', async () => {
    const doc = otlpDocument([
      { service: 'checkout', env: 'production', spans: [{ id: 'c1', kind: KIND.client }] },
      { service: 'payments', env: 'production', spans: [{ id: 'p1', parent: 'c1', kind: KIND.server }] },
      { service: 'checkout', env: 'staging', spans: [{ trace: hexId('t9', 32), id: 'c9', kind: KIND.client, attrs: { 'peer.service': 'stripe-sandbox' } }] },
    ]);
    expect(edgeLines(await derive(doc))).toEqual(['checkout -> payments sync 1/0', 'checkout -> stripe-sandbox external 1/0']);
    const prod = await derive(doc, { environment: 'production' });
    expect(edgeLines(prod)).toEqual(['checkout -> payments sync 1/0']);
    expect(prod.view.nodes.map((n) => n.id)).toEqual(['checkout', 'payments']);
    const none = await derive(doc, { environment: 'qa' });
    expect(none.view.edges).toEqual([]);
    expect(none.warnings.join('\n')).toContain('environments seen: production, staging');
  });

  it('reads deployment.environment as the deprecated name of the environment', async () => {
    const doc = otlpDocument([{ service: 'checkout', spans: [{ id: 'c1', kind: KIND.server }] }]);
    const rs = (doc.resourceSpans as { resource: { attributes: unknown[] } }[])[0]!;
    rs.resource.attributes.push({ key: 'deployment.environment', value: { stringValue: 'production' } });
    expect((await derive(doc)).view.nodes[0]!.environments).toEqual(['production']);
  });
});

describe('the pairing window', () => {
  it('finalises the oldest traces when full, counting late spans instead of dropping them silently', async () => {
    const lines = otlpLines([
      { service: 'checkout', spans: [{ id: 'c1', kind: KIND.client }] },
      { service: 'cart', spans: [{ trace: hexId('t2', 32), id: 'x1', kind: KIND.server }, { trace: hexId('t2', 32), id: 'x2', kind: KIND.internal, parent: 'x1' }] },
      { service: 'payments', spans: [{ id: 'p1', parent: 'c1', kind: KIND.server }] },
    ]);
    const d = await derive(lines, { maxOpenSpans: 2 });
    expect(d.stats.evictedTraces).toBeGreaterThan(0);
    expect(d.stats.lateSpans).toBe(1);
    const whole = await derive(lines);
    expect(edgeLines(whole)).toEqual(['checkout -> payments sync 1/0']);
  });
});
