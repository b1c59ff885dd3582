/**
 * Nightly views the nightly reporters render: the first run that establishes the baseline, the
 * demo's second night (two new edges, one impact change) with an edge gone, a night with
 * nothing new, and names an attacker could put in traces. Built inline, shaped the way the
 * nightly comparison hands them over (CONTRACT §6: edges sorted by from, then to).
 */
import type { EdgeView, GraphView, NewEdgeView, NightlyView, NodeView } from '../../src/model.js';
import { BACKTICK_VERSION, IMG_TAG, MARKDOWN_NAME, PIPE_OPERATION, TTY_NAME } from './sample-plans.js';
import { type EdgeSpec, edgeView } from '../helpers/views.js';

const NIGHT = {
  firstSeen: '2026-11-29T10:00:12.418Z',
  lastSeen: '2026-11-29T23:58:40.007Z',
  sampleTraceIds: ['5b8efff798038103d269b633813fc60c'],
};

function edge(from: string, to: string, spec: EdgeSpec): EdgeView {
  return edgeView(from, to, spec, NIGHT);
}

function newEdge(from: string, to: string, introducedBy: string | null, spec: EdgeSpec): NewEdgeView {
  return { ...edge(from, to, spec), introducedBy };
}

function node(id: string, kind: NodeView['kind'], versions: string[] = [], entrypoint = false): NodeView {
  return { id, kind, versions, entrypoint, environments: kind === 'service' ? ['production'] : [] };
}

// ---------------------------------------------------------------------------------------------
// The demo shop (fixtures/demo): night one establishes the baseline.

export const establishedNightly: NightlyView = {
  baseline: 'established',
  run: { id: 1, spans: 1269, edges: 16 },
  newEdges: [],
  goneEdges: [],
  impactChanges: [],
  skipped: [],
  baselineEdges: 16,
  newestSpan: '2026-11-28T23:59:31.204Z',
  staleAfterDays: 7,
};

// ---------------------------------------------------------------------------------------------
// Night two: checkout 2.6.0 calls a new fraud-check service, which reads its own database; the
// catalog team's feature flag makes catalog write to its database; an old edge is gone.

const checkoutToFraudCheck = newEdge('checkout', 'fraud-check', '2.6.0', {
  errors: 2,
  tag: [
    'coordinated',
    'assumed',
    'fraud-check has a single version (1.0.0) in the traces: no proof that checkout works with an older fraud-check',
  ],
  operations: [['POST /v1/score', 96, ['1.0.0'], ['2.6.0']]],
  sampleTraceIds: [
    '5b8efff798038103d269b633813fc60c',
    '8a3c60f7d188f8fa79d48a391a778fa6',
    'c2f7a1d9e0b34b6f9a1e2d3c4b5a6978',
  ],
});

const fraudCheckToDatabase = newEdge('fraud-check', 'postgresql:fraud', '1.0.0', {
  type: 'database',
  tag: ['independent', 'observed', 'fraud-check only reads postgresql:fraud (SELECT)'],
  operations: [['SELECT', 96, [], ['1.0.0']]],
  firstSeen: '2026-11-29T10:00:12.431Z',
  lastSeen: '2026-11-29T23:58:40.019Z',
});

export const comparedNightly: NightlyView = {
  baseline: 'compared',
  run: { id: 2, spans: 1377, edges: 18 },
  newEdges: [checkoutToFraudCheck, fraudCheckToDatabase],
  impactChanges: [
    {
      from: 'catalog',
      to: 'postgresql:catalog',
      type: 'database',
      was: 'independent',
      now: 'data-migration',
      reason:
        'catalog writes to postgresql:catalog (UPDATE, 212 calls since 2026-11-29T08:30:04Z): its writes stay ' +
        'after a revert',
    },
  ],
  goneEdges: [
    edge('order-worker', 'legacy-billing', {
      tag: ['coordinated', 'assumed', 'legacy-billing has a single version (0.7.2) in the traces'],
      operations: [['POST /invoices', 40, ['0.7.2'], ['1.0.9']]],
      firstSeen: '2026-10-02T09:12:44.000Z',
      lastSeen: '2026-11-19T16:42:07.000Z',
    }),
  ],
  skipped: ['exports/2026-11-28/traces-frontend.jsonl.gz', 'exports/2026-11-28/traces.jsonl'],
  baselineEdges: 17,
  newestSpan: '2026-11-29T23:59:48.512Z',
  staleAfterDays: 7,
};

/** The new edges of `comparedNightly` with their neighbours, for the Mermaid chart. */
export const comparedNeighbours: GraphView = {
  nodes: [
    node('checkout', 'service', ['2.5.0', '2.6.0']),
    node('fraud-check', 'service', ['1.0.0']),
    node('postgresql:fraud', 'database'),
    node('web-frontend', 'service', ['4.12.0'], true),
  ],
  edges: [
    checkoutToFraudCheck,
    fraudCheckToDatabase,
    edge('web-frontend', 'checkout', {
      tag: ['independent', 'observed', 'checkout 2.5.0 already served every operation web-frontend uses'],
      operations: [['POST /orders', 154, ['2.5.0', '2.6.0'], ['4.12.0']]],
    }),
  ],
};

// ---------------------------------------------------------------------------------------------
// Night three: the same graph again.

export const nothingNewNightly: NightlyView = {
  baseline: 'compared',
  run: { id: 3, spans: 1377, edges: 18 },
  newEdges: [],
  goneEdges: [],
  impactChanges: [],
  skipped: ['exports/2026-11-29/traces.jsonl'],
  baselineEdges: 18,
  newestSpan: '2026-11-30T23:59:02.000Z',
  staleAfterDays: 7,
};

// ---------------------------------------------------------------------------------------------
// Names an attacker could put in traces (and sample-plans.ts's, reused).

/** A name that ends a single-quoted shell word and runs a command if quoted naively. */
export const SHELL_NAME = "it's $(rm -rf ~) `id`";
/** Input file names are not from traces, but they are not ours either. */
export const HOSTILE_FILE = 'exports/\u001b[2Jevil\n# heading.jsonl';
export const PIPE_FILE = 'a|b `c`.jsonl';

const hostileAsync = newEdge(SHELL_NAME, IMG_TAG, null, {
  type: 'async',
  via: 'kafka:<b>orders</b>',
  firstSeen: null,
  lastSeen: 'not a time\u202e',
  sampleTraceIds: [],
});

const hostileSync = newEdge(TTY_NAME, MARKDOWN_NAME, BACKTICK_VERSION, {
  errors: 1,
  tag: ['coordinated', 'observed', `${MARKDOWN_NAME} never served ${PIPE_OPERATION} before <b>2.0</b> @oncall-team`],
  operations: [[PIPE_OPERATION, 3, [BACKTICK_VERSION], ['1.0|2']]],
});

export const hostileNightly: NightlyView = {
  baseline: 'compared',
  run: { id: 7, spans: 12, edges: 4 },
  newEdges: [hostileAsync, hostileSync],
  impactChanges: [
    {
      from: IMG_TAG,
      to: 'postgresql:`users`',
      type: 'database',
      was: 'data-migration',
      now: 'independent',
      reason: '<script>alert(2)</script> **and** `code` @oncall-team #12\n# not a heading',
    },
  ],
  goneEdges: [
    edge(MARKDOWN_NAME, '- not a list', { firstSeen: null, lastSeen: null }),
  ],
  skipped: [HOSTILE_FILE, PIPE_FILE],
  baselineEdges: 3,
  newestSpan: null,
  staleAfterDays: 7,
};

export const hostileNeighbours: GraphView = {
  nodes: [node(IMG_TAG, 'service'), node(SHELL_NAME, 'service'), node(MARKDOWN_NAME, 'service'), node(TTY_NAME, 'service')],
  edges: [hostileAsync, hostileSync],
};

/** Every sample view with the golden files it renders to (`nightly-<name>.txt`, `.md`). */
export const namedNightlies: readonly {
  readonly name: string;
  readonly view: NightlyView;
  readonly neighbours?: GraphView;
}[] = [
  { name: 'established', view: establishedNightly },
  { name: 'compared', view: comparedNightly, neighbours: comparedNeighbours },
  { name: 'nothing-new', view: nothingNewNightly },
  { name: 'hostile', view: hostileNightly, neighbours: hostileNeighbours },
];
