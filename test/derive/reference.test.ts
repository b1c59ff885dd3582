/**
 * The streaming path (scanner, span-wise parsing, pairing window) against a simple exact
 * derivation that loads every span at once, on random traces written as JSON Lines in a shuffled
 * order, split into random chunks: the edges and their call counts must be identical.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KIND, derive, hexId, otlpSpan } from '../helpers/otlp.js';

interface RefSpan {
  trace: string;
  id: string;
  parent?: string;
  service: string;
  kind: number;
  attrs?: Record<string, string>;
}

const SERVICES = ['web', 'checkout', 'payments', 'inventory', 'catalog'];
const EXITS: Record<string, string>[] = [
  { 'db.system': 'postgresql', 'db.namespace': 'orders', 'db.operation.name': 'INSERT' },
  { 'db.system.name': 'redis', 'server.address': 'cache' },
  { 'messaging.system': 'kafka', 'messaging.destination.name': 'events' },
  { 'server.address': 'api.stripe.com', 'http.request.method': 'POST' },
  {},
];

/** Random traces: a root SERVER span, then calls down random services, with leaf exits. */
const traces = fc.array(
  fc.record({
    hops: fc.array(fc.record({ service: fc.nat(SERVICES.length - 1), exit: fc.nat(EXITS.length - 1), kindless: fc.boolean() }), { minLength: 1, maxLength: 6 }),
  }),
  { minLength: 1, maxLength: 25 },
);

function buildSpans(input: { hops: { service: number; exit: number; kindless: boolean }[] }[]): RefSpan[] {
  const spans: RefSpan[] = [];
  input.forEach((t, ti) => {
    const trace = hexId(`t${ti}`, 32);
    let parent: RefSpan = { trace, id: `r${ti}`, service: SERVICES[0]!, kind: KIND.server };
    spans.push(parent);
    t.hops.forEach((hop, hi) => {
      const client: RefSpan = { trace, id: `c${ti}x${hi}`, parent: parent.id, service: parent.service, kind: hop.kindless ? KIND.unspecified : KIND.client };
      spans.push(client);
      const callee = SERVICES[hop.service]!;
      if (callee !== parent.service) {
        const server: RefSpan = { trace, id: `s${ti}x${hi}`, parent: client.id, service: callee, kind: hop.kindless ? KIND.unspecified : KIND.server };
        spans.push(server);
        parent = server;
      }
      const exit = EXITS[hop.exit]!;
      spans.push({ trace, id: `e${ti}x${hi}`, parent: parent.id, service: parent.service, kind: exit['messaging.system'] ? KIND.producer : KIND.client, attrs: exit });
    });
  });
  return spans;
}

/** CONTRACT §2 R1 and R3 the plain way: every span in memory, then one pass. */
function referenceEdges(spans: RefSpan[]): string[] {
  const byKey = new Map(spans.map((s) => [`${s.trace}/${s.id}`, s]));
  const remoteChild = new Set<string>();
  const counts = new Map<string, number>();
  const count = (edge: string) => counts.set(edge, (counts.get(edge) ?? 0) + 1);
  for (const s of spans) {
    if (s.parent === undefined) continue;
    const p = byKey.get(`${s.trace}/${s.parent}`);
    if (p === undefined || p.service === s.service) continue;
    remoteChild.add(`${p.trace}/${p.id}`);
    const isAsync = p.kind === KIND.producer || s.kind === KIND.consumer;
    count(`${p.service} -> ${s.service} ${isAsync ? 'async' : 'sync'}`);
  }
  for (const s of spans) {
    if ((s.kind !== KIND.client && s.kind !== KIND.producer) || remoteChild.has(`${s.trace}/${s.id}`)) continue;
    const a = s.attrs ?? {};
    const db = a['db.system'] ?? a['db.system.name'];
    if (db !== undefined) count(`${s.service} -> ${db}:${a['db.namespace'] ?? a['server.address']} database`);
    else if (a['messaging.system'] !== undefined) count(`${s.service} -> ${a['messaging.system']}:${a['messaging.destination.name']} async`);
    else if (a['server.address'] !== undefined) count(`${s.service} -> ${a['server.address']} external`);
  }
  return [...counts].map(([edge, n]) => `${edge} ${n}`).sort();
}

function toLines(spans: RefSpan[], order: number[]): string {
  return order
    .map((i) => {
      const s = spans[i]!;
      return JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: s.service } }] },
            scopeSpans: [{ spans: [otlpSpan({ trace: s.trace, id: s.id, parent: s.parent, kind: s.kind, attrs: s.attrs }, i)] }],
          },
        ],
      });
    })
    .join('\n');
}

describe('the streaming derivation equals a plain exact one', () => {
  it('on random traces, lines shuffled, bytes split anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(traces, fc.integer({ min: 1, max: 4096 }), fc.integer(), async (input, chunkSize, seed) => {
        const spans = buildSpans(input);
        const order = spans.map((_, i) => i).sort((a, b) => (((a + 1) * 2654435761 + seed) % 1009) - (((b + 1) * 2654435761 + seed) % 1009));
        const d = await derive(toLines(spans, order), { chunkSize });
        const got = d.view.edges.map((e) => `${e.from} -> ${e.to} ${e.type} ${e.calls}`).sort();
        expect(got).toEqual(referenceEdges(spans));
        expect(d.stats.missingParents).toBe(0);
        expect(d.rejectedCount).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});
