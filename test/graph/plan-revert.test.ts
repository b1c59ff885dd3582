import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Impact } from '../../src/model.js';
import { planRevert } from '../../src/graph/plan-revert.js';
import { buildTestGraph, tagsOf } from '../helpers/graphs.js';

describe('planRevert', () => {
  it('plans a lone service: snapshot, revert, verify', () => {
    const graph = buildTestGraph({ inventory: { versions: ['1.8.2', '1.9.0'] } }, []);
    const plan = planRevert(graph, tagsOf(graph, {}), ['inventory']);
    expect(plan).toMatchObject({ targets: ['inventory'], revertSet: ['inventory'], waves: [['inventory']], cycles: [], added: [] });
    expect(plan.steps.map((s) => s.kind)).toEqual(['snapshot', 'revert', 'verify']);
    expect(plan.versions).toEqual({ inventory: { from: '1.9.0', to: '1.8.2' } });
    expect(plan.steps[1]!.text).toBe('Wave 1: roll back inventory 1.9.0 -> 1.8.2');
  });

  it('adds coordinated callers upstream, transitively, callers first, and says why', () => {
    const graph = buildTestGraph({ web: { versions: ['1', '2'] }, checkout: { versions: ['1', '2'] }, inventory: { versions: ['1', '2'] }, admin: {} }, [
      { from: 'web', to: 'checkout', operations: { 'POST /orders': {} } },
      { from: 'checkout', to: 'inventory', operations: { 'POST /reserve': {} } },
      { from: 'admin', to: 'inventory', operations: { 'GET /stock': {} } },
    ]);
    const tags = tagsOf(graph, { 'web->checkout': 'coordinated', 'checkout->inventory': 'coordinated' });
    const plan = planRevert(graph, tags, ['inventory']);
    expect(plan.revertSet).toEqual(['checkout', 'inventory', 'web']);
    expect(plan.waves).toEqual([['web'], ['checkout'], ['inventory']]);
    expect(plan.added).toEqual([
      { service: 'checkout', because: { from: 'checkout', to: 'inventory', operation: 'POST /reserve' }, reason: 'checkout -> inventory is coordinated' },
      { service: 'web', because: { from: 'web', to: 'checkout', operation: 'POST /orders' }, reason: 'web -> checkout is coordinated' },
    ]);
  });

  it('groups a call cycle into one atomic wave, with a warning', () => {
    const graph = buildTestGraph({ gateway: {}, accounts: { versions: ['1', '2'] }, profiles: { versions: ['1', '2'] } }, [
      { from: 'gateway', to: 'accounts' },
      { from: 'accounts', to: 'profiles' },
      { from: 'profiles', to: 'accounts' },
    ]);
    const tags = tagsOf(graph, { 'accounts->profiles': 'coordinated', 'profiles->accounts': 'coordinated' });
    const plan = planRevert(graph, tags, ['accounts']);
    expect(plan.revertSet).toEqual(['accounts', 'profiles']);
    expect(plan.cycles).toEqual([['accounts', 'profiles']]);
    expect(plan.waves).toEqual([['accounts', 'profiles']]);
    expect(plan.warnings).toEqual([]);
    expect(plan.steps.find((s) => s.kind === 'revert')!.text).toContain('together, atomically');
  });

  it('dampens side-effecting third parties, resumes them after verifying, compensates writes last', () => {
    const graph = buildTestGraph(
      { payments: { versions: ['5.0', '5.1'] }, 'api.stripe.com': { kind: 'external' }, 'postgresql:payments': { kind: 'database' } },
      [
        { from: 'payments', to: 'api.stripe.com', type: 'external', operations: { 'POST /v1/charges': {} } },
        { from: 'payments', to: 'postgresql:payments', type: 'database', operations: { INSERT: {} } },
      ],
    );
    const tags = tagsOf(graph, { 'payments->api.stripe.com': 'data-migration', 'payments->postgresql:payments': 'data-migration' });
    const plan = planRevert(graph, tags, ['payments']);
    expect(plan.steps.map((s) => [s.kind, s.reversible])).toEqual([
      ['snapshot', true],
      ['dampen', true],
      ['revert', true],
      ['verify', true],
      ['resume', true],
      ['compensate', false],
    ]);
    expect(plan.steps[0]!.text).toContain('snapshot the data the rollback cannot undo: postgresql:payments');
    expect(plan.steps[1]!.text).toContain('payments -> api.stripe.com');
    expect(plan.steps[5]!.text).toContain("Compensate, don't revert: what payments wrote to postgresql:payments (INSERT)");
  });

  it('warns about uninstrumented callers that will break, and services without a previous version', () => {
    const graph = buildTestGraph({ 'mobile-app': { kind: 'external' }, web: { versions: ['3.0'] } }, [{ from: 'mobile-app', to: 'web' }]);
    const plan = planRevert(graph, tagsOf(graph, { 'mobile-app->web': 'coordinated' }), ['web']);
    expect(plan.revertSet).toEqual(['web']);
    expect(plan.warnings).toEqual([
      'web has no previous version in the traces: find the version to return to before starting',
      'mobile-app is not instrumented and cannot be reverted, but mobile-app -> web is coordinated: tell its owners first',
    ]);
  });
});

/** Random graphs of services with random impacts, for the plan's invariants. */
const randomGraph = fc
  .record({
    size: fc.integer({ min: 1, max: 9 }),
    edges: fc.array(fc.tuple(fc.nat(8), fc.nat(8), fc.constantFrom<Impact>('independent', 'coordinated', 'data-migration')), { maxLength: 30 }),
    dbWrites: fc.array(fc.nat(8), { maxLength: 4 }),
    targets: fc.array(fc.nat(8), { minLength: 1, maxLength: 3 }),
  })
  .map(({ size, edges, dbWrites, targets }) => {
    const name = (i: number) => `svc-${i % size}`;
    const nodes = Object.fromEntries(Array.from({ length: size }, (_, i) => [name(i), { versions: ['1', '2'] }]));
    const unique = new Map<string, Impact>();
    for (const [a, b, impact] of edges) if (name(a) !== name(b)) unique.set(`${name(a)}->${name(b)}`, impact);
    const specs: { from: string; to: string; type?: 'database' }[] = [...unique.keys()].map((k) => {
      const [from, to] = k.split('->') as [string, string];
      return { from, to };
    });
    const impacts = Object.fromEntries(unique);
    for (const d of new Set(dbWrites.map((i) => i % size))) {
      (nodes as Record<string, object>)[`db-${d % size}`] = { kind: 'database' };
      specs.push({ from: name(d), to: `db-${d % size}`, type: 'database' });
      impacts[`${name(d)}->db-${d % size}`] = 'data-migration';
    }
    return { nodes, specs, impacts, targets: [...new Set(targets.map(name))] };
  });

describe('planRevert invariants (property-based)', () => {
  it('every coordinated caller of a reverted service is reverted, and earlier or in the same cycle group', () => {
    fc.assert(
      fc.property(randomGraph, ({ nodes, specs, impacts, targets }) => {
        const graph = buildTestGraph(nodes, specs);
        const plan = planRevert(graph, tagsOf(graph, impacts), targets);
        const waveOf = new Map(plan.waves.flatMap((w, i) => w.map((s) => [s, i] as const)));
        const groupOf = new Map(plan.cycles.flatMap((c, i) => c.map((s) => [s, i] as const)));
        for (const t of targets) expect(plan.revertSet).toContain(t);
        for (const [key, impact] of Object.entries(impacts)) {
          const [from, to] = key.split('->') as [string, string];
          if (impact !== 'coordinated' || !plan.revertSet.includes(to)) continue;
          expect(plan.revertSet).toContain(from);
          const sameGroup = groupOf.has(from) && groupOf.get(from) === groupOf.get(to);
          expect(sameGroup || waveOf.get(from)! < waveOf.get(to)!).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('waves are a valid order of every call inside the revert set, and hold each service once', () => {
    fc.assert(
      fc.property(randomGraph, ({ nodes, specs, impacts, targets }) => {
        const graph = buildTestGraph(nodes, specs);
        const plan = planRevert(graph, tagsOf(graph, impacts), targets);
        const flat = plan.waves.flat();
        expect([...flat].sort()).toEqual([...plan.revertSet]);
        const waveOf = new Map(plan.waves.flatMap((w, i) => w.map((s) => [s, i] as const)));
        const groupOf = new Map(plan.cycles.flatMap((c, i) => c.map((s) => [s, i] as const)));
        for (const { from, to } of specs) {
          if (!waveOf.has(from) || !waveOf.has(to)) continue;
          const sameGroup = groupOf.has(from) && groupOf.get(from) === groupOf.get(to);
          if (sameGroup) expect(waveOf.get(from)).toBe(waveOf.get(to));
          else expect(waveOf.get(from)!).toBeLessThan(waveOf.get(to)!);
        }
        expect(plan.added.map((a) => a.service)).toEqual(plan.revertSet.filter((s) => !targets.includes(s)));
      }),
      { numRuns: 300 },
    );
  });

  it('steps run reversible first: every compensate step comes after every revert step, in the contract order', () => {
    const order = ['snapshot', 'dampen', 'revert', 'verify', 'resume', 'compensate'];
    fc.assert(
      fc.property(randomGraph, ({ nodes, specs, impacts, targets }) => {
        const graph = buildTestGraph(nodes, specs);
        const plan = planRevert(graph, tagsOf(graph, impacts), targets);
        const kinds = plan.steps.map((s) => s.kind);
        const ranks = kinds.map((k) => order.indexOf(k));
        expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
        const lastRevert = kinds.lastIndexOf('revert');
        kinds.forEach((k, i) => {
          if (k === 'compensate') expect(i).toBeGreaterThan(lastRevert);
        });
        expect(plan.steps.filter((s) => s.kind === 'revert')).toHaveLength(plan.waves.length);
        for (const step of plan.steps) expect(step.reversible).toBe(step.kind !== 'compensate');
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic, whatever order the graph was built in', () => {
    fc.assert(
      fc.property(randomGraph, fc.integer(), ({ nodes, specs, impacts, targets }, seed) => {
        const shuffled = [...specs].sort((a, b) => ((a.from + a.to).length * seed) % 7 - ((b.from + b.to).length * seed) % 7);
        const a = buildTestGraph(nodes, specs);
        const b = buildTestGraph(nodes, shuffled);
        const planA = planRevert(a, tagsOf(a, impacts), targets);
        const planB = planRevert(b, tagsOf(b, impacts), [...targets].reverse());
        expect(JSON.stringify(planB)).toBe(JSON.stringify(planA));
      }),
      { numRuns: 200 },
    );
  });
});
