import { describe, expect, it } from 'vitest';
import { classifyOperation } from '../../src/graph/classify-operation.js';
import { tagImpacts } from '../../src/graph/tag-impacts.js';
import { buildTestGraph } from '../helpers/graphs.js';

const tagOf = (graph: ReturnType<typeof buildTestGraph>, options: Parameters<typeof tagImpacts>[1] = {}) => [...tagImpacts(graph, options).values()][0]!;

describe('classifyOperation', () => {
  it.each([
    ['INSERT', 'write'], ['update', 'write'], ['ALTER', 'write'], ['DROP', 'write'], ['TRUNCATE', 'write'], ['MERGE', 'write'],
    ['SET', 'write'], ['HSET', 'write'], ['DEL', 'write'], ['insertOne', 'write'], ['findOneAndUpdate', 'write'],
    ['PutItem', 'write'], ['BatchWriteItem', 'write'], ['index', 'write'], ['indices.create', 'write'], ['POST /v1/charges', 'write'],
    ['PUT /x', 'write'], ['PATCH /x', 'write'], ['DELETE /v1/cards/{id}', 'write'], ['HTTP POST', 'write'],
    ['SELECT', 'read'], ['GET', 'read'], ['HGETALL', 'read'], ['find', 'read'], ['aggregate', 'read'], ['GetItem', 'read'],
    ['Query', 'read'], ['search', 'read'], ['GET /v1/customers/{id}', 'read'], ['HEAD /', 'read'],
    ['charge', 'unknown'], ['', 'unknown'],
  ])('%s is a %s', (name, effect) => {
    expect(classifyOperation(name)).toBe(effect);
  });
});

describe('tagImpacts', () => {
  it('tags nothing in an empty graph', () => {
    expect(tagImpacts(buildTestGraph({}, [])).size).toBe(0);
  });

  describe('databases and third parties', () => {
    const db = (ops: string[]) =>
      buildTestGraph({ payments: {}, 'postgresql:payments': { kind: 'database' } }, [
        { from: 'payments', to: 'postgresql:payments', type: 'database', operations: Object.fromEntries(ops.map((o) => [o, { calls: 2 }])) },
      ]);

    it('a write is a data-migration, observed, naming the writes', () => {
      const tag = tagOf(db(['SELECT', 'INSERT']));
      expect(tag).toMatchObject({ impact: 'data-migration', confidence: 'observed' });
      expect(tag.reason).toContain('INSERT x2');
      expect(tag.reason).toContain("compensate, don't revert");
    });

    it('only reads are independent, observed', () => {
      expect(tagOf(db(['SELECT', 'find']))).toMatchObject({ impact: 'independent', confidence: 'observed' });
    });

    it('an operation that cannot be told is a data-migration, assumed', () => {
      const tag = tagOf(db(['SELECT', 'charge']));
      expect(tag).toMatchObject({ impact: 'data-migration', confidence: 'assumed' });
      expect(tag.reason).toContain('charge x2');
    });

    it('a side-effecting call to a third party is a data-migration; reads are independent', () => {
      const graph = (op: string) =>
        buildTestGraph({ payments: {}, 'api.stripe.com': { kind: 'external' } }, [
          { from: 'payments', to: 'api.stripe.com', type: 'external', operations: { [op]: {} } },
        ]);
      expect(tagOf(graph('POST /v1/charges'))).toMatchObject({ impact: 'data-migration', confidence: 'observed' });
      expect(tagOf(graph('GET /v1/customers/{id}'))).toMatchObject({ impact: 'independent', confidence: 'observed' });
    });
  });

  it('an async call is independent, assumed', () => {
    const graph = buildTestGraph({ checkout: {}, 'order-worker': { versions: ['1', '2'] } }, [{ from: 'checkout', to: 'order-worker', type: 'async' }]);
    expect(tagOf(graph)).toMatchObject({ impact: 'independent', confidence: 'assumed' });
  });

  describe('sync calls, by version evidence', () => {
    const graph = (calleeVersions: string[], ops: Record<string, { served?: string[]; by?: string[] }>, callerVersions: string[] = []) =>
      buildTestGraph({ checkout: { versions: callerVersions }, inventory: { versions: calleeVersions } }, [{ from: 'checkout', to: 'inventory', operations: ops }]);

    it('coordinated, observed, when the caller uses an operation the previous version never served', () => {
      const tag = tagOf(graph(['1.8.2', '1.9.0'], { 'GET /stock': { served: ['1.8.2', '1.9.0'] }, 'POST /reserve': { served: ['1.9.0'] } }));
      expect(tag).toMatchObject({ impact: 'coordinated', confidence: 'observed', forcing: 'POST /reserve' });
      expect(tag.reason).toBe(
        'checkout uses POST /reserve, which inventory 1.8.2 never served (served by 1.9.0): rolling back inventory 1.9.0 -> 1.8.2 breaks checkout, so checkout must revert with it',
      );
    });

    it('independent, observed, when the previous version served every operation the caller uses', () => {
      const tag = tagOf(graph(['1.8.2', '1.9.0'], { 'GET /stock': { served: ['1.8.2', '1.9.0'] } }));
      expect(tag).toMatchObject({ impact: 'independent', confidence: 'observed', forcing: null });
      expect(tag.reason).toContain('inventory 1.8.2 already served every operation checkout uses (GET /stock)');
    });

    it('counts what any caller was served: served to someone else is served', () => {
      const g = buildTestGraph({ checkout: {}, admin: {}, inventory: { versions: ['1', '2'] } }, [
        { from: 'checkout', to: 'inventory', operations: { 'POST /reserve': { served: ['2'] } } },
        { from: 'admin', to: 'inventory', operations: { 'POST /reserve': { served: ['1'] } } },
      ]);
      const tags = [...tagImpacts(g).values()];
      expect(tags.map((t) => t.impact)).toEqual(['independent', 'independent']);
    });

    it("only weighs what the caller's current version uses", () => {
      const ops = { 'GET /v1/stock': { served: ['1', '2'], by: ['2.4.0'] }, 'GET /v2/stock': { served: ['2'], by: ['2.5.0'] } };
      expect(tagOf(graph(['1', '2'], ops, ['2.4.0', '2.5.0']))).toMatchObject({ impact: 'coordinated', forcing: 'GET /v2/stock' });
      expect(tagOf(graph(['1', '2'], ops, ['2.5.0', '2.4.0']))).toMatchObject({ impact: 'independent' });
    });

    it('coordinated, assumed, with a single version or none', () => {
      const one = tagOf(graph(['1.9.0'], { 'GET /stock': { served: ['1.9.0'] } }));
      expect(one).toMatchObject({ impact: 'coordinated', confidence: 'assumed' });
      expect(one.reason).toContain('single version in the traces (1.9.0)');
      expect(tagOf(graph([], { 'GET /stock': {} })).reason).toContain('reports no service.version');
    });

    it('--to-version evaluates against the version given', () => {
      const g = graph(['1', '2', '3'], { a: { served: ['1', '2', '3'] }, b: { served: ['2', '3'] } });
      expect(tagOf(g)).toMatchObject({ impact: 'independent' });
      expect(tagOf(g, { toVersions: new Map([['inventory', '1']]) })).toMatchObject({ impact: 'coordinated', forcing: 'b' });
    });
  });

  it('config rules come first', () => {
    const graph = buildTestGraph({ checkout: {}, inventory: { versions: ['1'] } }, [{ from: 'checkout', to: 'inventory' }]);
    const tag = tagOf(graph, { override: (e) => (e.to === 'inventory' ? { impact: 'independent', confidence: 'observed', reason: 'versioned API' } : null) });
    expect(tag).toMatchObject({ impact: 'independent', confidence: 'observed', reason: 'versioned API' });
  });
});
