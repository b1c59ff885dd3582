/**
 * Small plan and impact views the plan and impact reporters render: a realistic shop rollback,
 * a cycle, names an attacker could put in traces, and a one-service plan. Built inline, shaped
 * the way the planner hands them over (CONTRACT §4 and §6).
 */
import type { ImpactView, PlanView } from '../../src/model.js';
import { type EdgeSpec, edgeView } from '../helpers/views.js';

// ---------------------------------------------------------------------------------------------
// The shop: rolling inventory back from 1.9.0 to 1.8.2 drags checkout along.

/** checkout 2.4.0 reserves stock through an operation inventory 1.8.2 never served. */
export const shopPlan: PlanView = {
  targets: ['inventory'],
  revertSet: ['checkout', 'inventory'],
  waves: [['checkout'], ['inventory']],
  cycles: [],
  added: [
    {
      service: 'checkout',
      because: { from: 'checkout', to: 'inventory', operation: 'POST /inventory/reserve' },
      reason:
        'checkout 2.4.0 calls POST /inventory/reserve, first served by inventory 1.9.0; ' +
        'inventory 1.8.2 never served it',
    },
  ],
  versions: {
    checkout: { from: '2.4.0', to: '2.3.1' },
    inventory: { from: '1.9.0', to: '1.8.2' },
  },
  warnings: [],
  steps: [
    {
      kind: 'snapshot',
      services: ['checkout', 'inventory'],
      reversible: true,
      text: 'Record the running versions and the state of postgresql:inventory before anything changes',
      evidence: [
        'checkout runs 2.4.0 and inventory runs 1.9.0 in production (last seen 2025-03-03T01:58:41Z)',
        'inventory writes to postgresql:inventory (UPDATE, 1,204 calls)',
      ],
    },
    {
      kind: 'dampen',
      services: ['payments'],
      reversible: true,
      text: 'Pause payments -> api.stripe.com (POST /v1/payment_intents) and hold its webhooks',
      evidence: ['payments -> api.stripe.com: POST /v1/payment_intents (118 calls) has side effects'],
    },
    {
      kind: 'revert',
      services: ['checkout'],
      reversible: true,
      text: 'Revert checkout from 2.4.0 to 2.3.1',
      precondition: 'No other service in the revert set calls checkout, so it goes first',
      verification:
        'checkout spans report service.version 2.3.1, and no span calls POST /inventory/reserve',
      evidence: ['checkout -> inventory: POST /inventory/reserve (120 calls), only from checkout 2.4.0'],
    },
    {
      kind: 'revert',
      services: ['inventory'],
      reversible: true,
      text: 'Revert inventory from 1.9.0 to 1.8.2',
      precondition: 'checkout runs 2.3.1: no caller uses POST /inventory/reserve any more',
      verification: 'inventory spans report service.version 1.8.2, and checkout -> inventory shows no new errors',
      evidence: [
        'POST /inventory/reserve was served by inventory 1.9.0 only',
        'GET /inventory/{sku} was served by inventory 1.8.2 and 1.9.0',
      ],
    },
    {
      kind: 'verify',
      services: ['checkout', 'inventory'],
      reversible: true,
      text:
        'Compare the graph after the rollback with the snapshot: calls that the reverted versions ' +
        'introduced must be gone, not just the new versions',
      evidence: ['introduced by the reverted versions: checkout -> inventory POST /inventory/reserve'],
    },
    {
      kind: 'resume',
      services: ['payments'],
      reversible: true,
      text: 'Resume payments -> api.stripe.com; retry held calls within Stripe rate limits',
      evidence: [],
    },
    {
      kind: 'compensate',
      services: ['inventory'],
      reversible: false,
      text:
        'Compensate, do not revert: rows inventory 1.9.0 wrote to postgresql:inventory stay; keep ' +
        'its schema changes and make new columns optional for 1.8.2',
      evidence: ['inventory -> postgresql:inventory: UPDATE (1,204 calls) by inventory 1.8.2 and 1.9.0'],
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// A cycle: accounts and profiles call each other, so no sequential order is safe.

export const cyclePlan: PlanView = {
  targets: ['profiles'],
  revertSet: ['accounts', 'profiles', 'web-frontend'],
  waves: [['web-frontend'], ['accounts', 'profiles']],
  cycles: [['accounts', 'profiles']],
  added: [
    {
      service: 'accounts',
      because: { from: 'accounts', to: 'profiles', operation: 'GET /profiles/{id}/preferences' },
      reason: 'accounts 3.1.0 calls GET /profiles/{id}/preferences, which profiles 5.1.9 never served',
    },
    {
      service: 'web-frontend',
      because: { from: 'web-frontend', to: 'accounts', operation: 'POST /accounts/sessions' },
      reason: 'web-frontend 5.1.0 calls POST /accounts/sessions, which accounts 3.0.4 never served',
    },
  ],
  versions: {
    accounts: { from: '3.1.0', to: '3.0.4' },
    profiles: { from: '5.2.0', to: '5.1.9' },
    'web-frontend': { from: '5.1.0', to: '5.0.2' },
  },
  warnings: [
    'the traces cover 2025-03-03 01:00 to 02:00 UTC only: callers seen less often may be missing',
  ],
  steps: [
    {
      kind: 'snapshot',
      services: ['accounts', 'profiles', 'web-frontend'],
      reversible: true,
      text: 'Record the running versions before anything changes',
      evidence: ['accounts 3.1.0, profiles 5.2.0 and web-frontend 5.1.0 run in production'],
    },
    {
      kind: 'revert',
      services: ['web-frontend'],
      reversible: true,
      text: 'Revert web-frontend from 5.1.0 to 5.0.2',
      precondition: 'No other service in the revert set calls web-frontend, so it goes first',
      verification: 'web-frontend spans report 5.0.2, and no span calls POST /accounts/sessions',
      evidence: ['web-frontend -> accounts: POST /accounts/sessions (640 calls), only from 5.1.0'],
    },
    {
      kind: 'revert',
      services: ['accounts', 'profiles'],
      reversible: true,
      text: 'Revert accounts and profiles together, in one deployment',
      precondition:
        'web-frontend runs 5.0.2; accounts and profiles call each other, so drain traffic to both ' +
        'or switch both at once',
      verification: 'accounts spans report 3.0.4 and profiles spans report 5.1.9 within the same minute',
      evidence: [
        'accounts -> profiles: GET /profiles/{id}/preferences (212 calls), served by profiles 5.2.0 only',
        'profiles -> accounts: POST /accounts/{id}/merge (9 calls), served by accounts 3.1.0 only',
      ],
    },
    {
      kind: 'verify',
      services: ['accounts', 'profiles', 'web-frontend'],
      reversible: true,
      text: 'Compare the graph after the rollback with the snapshot',
      evidence: [],
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// Names an attacker could put in traces.

/** A tag hoping to run in a Markdown preview. */
export const IMG_TAG = '<img src=x onerror=alert(1)>';
/** Markdown syntax of every kind, a GitHub mention and an issue reference. */
export const MARKDOWN_NAME = '# **evil** _x_ [click](https://evil.example) @oncall-team #12 ~~gone~~ $x$';
/** Terminal escape sequences (clear screen, red), a line break and a right-to-left override. */
export const TTY_NAME = 'tty\u001b[2J\u001b[31mred\nnew line\u202eexe.txt';
/** An operation with a table pipe and backticks, single and double. */
export const PIPE_OPERATION = 'GET /a|b `rm -rf /` ``x``';
export const PIPE_VERSION = '1.0|2';
export const BACKTICK_VERSION = '`0.9`';

export const hostilePlan: PlanView = {
  targets: [IMG_TAG],
  revertSet: [MARKDOWN_NAME, IMG_TAG, TTY_NAME],
  waves: [[TTY_NAME], [MARKDOWN_NAME], [IMG_TAG]],
  cycles: [],
  added: [
    {
      service: MARKDOWN_NAME,
      because: { from: MARKDOWN_NAME, to: IMG_TAG, operation: PIPE_OPERATION },
      reason: `${MARKDOWN_NAME} calls ${PIPE_OPERATION}, which ${IMG_TAG} ${BACKTICK_VERSION} never served`,
    },
    {
      service: TTY_NAME,
      because: { from: TTY_NAME, to: MARKDOWN_NAME, operation: null },
      reason: `${MARKDOWN_NAME} has a single version: no proof that ${TTY_NAME} works with an older one`,
    },
  ],
  versions: {
    [IMG_TAG]: { from: PIPE_VERSION, to: BACKTICK_VERSION },
    [MARKDOWN_NAME]: { from: '2.0.0', to: null },
    [TTY_NAME]: { from: null, to: '0.1.0' },
  },
  warnings: ['| a | b |', '<script>alert(2)</script> **and** `code`'],
  steps: [
    {
      kind: 'snapshot',
      services: [MARKDOWN_NAME, IMG_TAG, TTY_NAME],
      reversible: true,
      text: `Record the running versions of ${IMG_TAG} and its callers`,
      evidence: ['- not a nested list', '1. not a numbered list', '# not a heading', '> not a quote'],
    },
    {
      kind: 'revert',
      services: [TTY_NAME],
      reversible: true,
      text: `Revert ${TTY_NAME} to 0.1.0`,
      precondition: '    four spaces would make a code block',
      verification: 'a trailing backslash would break the line \\',
      evidence: [`${TTY_NAME} -> ${MARKDOWN_NAME}`],
    },
    {
      kind: 'revert',
      services: [MARKDOWN_NAME],
      reversible: true,
      text: `Revert ${MARKDOWN_NAME}: no previous version is known`,
      evidence: [`${MARKDOWN_NAME} -> ${IMG_TAG}: ${PIPE_OPERATION}`],
    },
    {
      kind: 'revert',
      services: [IMG_TAG],
      reversible: true,
      text: `Revert ${IMG_TAG} from ${PIPE_VERSION} to ${BACKTICK_VERSION}`,
      precondition: `${MARKDOWN_NAME} no longer calls ${PIPE_OPERATION}`,
      verification: `${IMG_TAG} spans report ${BACKTICK_VERSION}`,
      evidence: [],
    },
    {
      kind: 'compensate',
      services: [IMG_TAG],
      reversible: false,
      text: `Compensate ${IMG_TAG} -> postgresql:<b>users</b> (DROP TABLE "x"; --) &amp; [link][1]`,
      evidence: ['[1]: https://evil.example'],
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// The smallest plan: one service, nothing written, no third party.

export const minimalPlan: PlanView = {
  targets: ['search'],
  revertSet: ['search'],
  waves: [['search']],
  cycles: [],
  added: [],
  versions: { search: { from: '4.2.0', to: '4.1.3' } },
  warnings: [],
  steps: [
    {
      kind: 'snapshot',
      services: ['search'],
      reversible: true,
      text: 'Record the running version of search',
      evidence: ['search runs 4.2.0 in production'],
    },
    {
      kind: 'revert',
      services: ['search'],
      reversible: true,
      text: 'Revert search from 4.2.0 to 4.1.3',
      precondition: 'Every caller of search uses operations that 4.1.3 already served',
      verification: 'search spans report service.version 4.1.3',
      evidence: ['web-frontend -> search: GET /search (9,120 calls), served by 4.1.3 and 4.2.0'],
    },
    {
      kind: 'verify',
      services: ['search'],
      reversible: true,
      text: 'Compare the graph after the rollback with the snapshot',
      evidence: [],
    },
  ],
};

/** Every sample plan with the golden files it renders to (`plan-<name>.txt`, `.md`). */
export const namedPlans: readonly { readonly name: string; readonly plan: PlanView }[] = [
  { name: 'shop', plan: shopPlan },
  { name: 'cycle', plan: cyclePlan },
  { name: 'hostile', plan: hostilePlan },
  { name: 'minimal', plan: minimalPlan },
];

// ---------------------------------------------------------------------------------------------
// Impact views

const edge = (from: string, to: string, spec: EdgeSpec) => edgeView(from, to, spec);



/** Rolling inventory back: the impact side of `shopPlan`. */
export const shopImpact: ImpactView = {
  service: 'inventory',
  fromVersion: '1.9.0',
  toVersion: '1.8.2',
  mustRevertWith: ['checkout'],
  edges: [
    edge('admin-console', 'inventory', {
      tag: ['independent', 'observed', 'inventory 1.8.2 already served every operation admin-console uses'],
      operations: [['GET /inventory/{sku}', 88, ['1.8.2', '1.9.0'], ['0.9.1']]],
    }),
    edge('checkout', 'inventory', {
      errors: 2,
      tag: [
        'coordinated',
        'observed',
        'checkout uses POST /inventory/reserve, first served by inventory 1.9.0; inventory 1.8.2 never served it',
      ],
      operations: [
        ['GET /inventory/{sku}', 340, ['1.8.2', '1.9.0'], ['2.3.1', '2.4.0']],
        ['POST /inventory/reserve', 120, ['1.9.0'], ['2.4.0']],
      ],
    }),
    edge('inventory', 'kafka:stock-events', {
      type: 'async',
      via: 'kafka:stock-events',
      tag: ['independent', 'assumed', 'async call through kafka:stock-events: the queue decouples the versions'],
      operations: [['stock-events publish', 310, [], ['1.8.2', '1.9.0']]],
    }),
    edge('inventory', 'postgresql:inventory', {
      type: 'database',
      tag: [
        'data-migration',
        'observed',
        'inventory writes to postgresql:inventory (UPDATE): its writes stay after a revert',
      ],
      operations: [
        ['SELECT', 2210, [], ['1.8.2', '1.9.0']],
        ['UPDATE', 1204, [], ['1.8.2', '1.9.0']],
      ],
    }),
  ],
  plan: shopPlan,
};

/** search has one version in the traces: nothing to return to, every caller assumed coordinated. */
export const firstVersionImpact: ImpactView = {
  service: 'search',
  fromVersion: '1.0.0',
  toVersion: null,
  mustRevertWith: ['web-frontend'],
  edges: [
    edge('search', 'api.sendgrid.com', {
      type: 'external',
      tag: ['data-migration', 'observed', 'POST to a third party: sent mail does not come back'],
      operations: [['POST /v3/mail/send', 42, [], ['1.0.0']]],
    }),
    edge('search', 'elasticsearch:products', {
      type: 'database',
      tag: ['data-migration', 'observed', 'search writes to elasticsearch:products (index)'],
      operations: [
        ['search', 12000, [], ['1.0.0']],
        ['index', 450, [], ['1.0.0']],
      ],
    }),
    edge('search', 'ranker', {
      operations: [['POST /rank', 12000, ['0.3.0'], ['1.0.0']]],
    }),
    edge('search', 'redis:cache', {
      type: 'database',
      tag: ['independent', 'observed', 'reads only (GET)'],
      operations: [['GET', 30500, [], ['1.0.0']]],
    }),
    edge('web-frontend', 'search', {
      tag: [
        'coordinated',
        'assumed',
        'search has a single version in the traces (1.0.0): no proof that web-frontend works with an older search',
      ],
      operations: [
        ['GET /search', 9120, ['1.0.0'], ['5.1.0']],
        ['GET /suggest', 2400, ['1.0.0'], ['5.1.0']],
        ['GET /search/facets', 800, ['1.0.0'], ['5.1.0']],
        ['POST /search/feedback', 51, ['1.0.0'], ['5.1.0']],
        ['GET /search/popular', 40, ['1.0.0'], ['5.1.0']],
        ['GET /search/recent', 12, ['1.0.0'], ['5.1.0']],
        ['GET /search/export', 3, ['1.0.0'], ['5.1.0']],
      ],
    }),
  ],
  plan: {
    targets: ['search'],
    revertSet: ['search', 'web-frontend'],
    waves: [['web-frontend'], ['search']],
    cycles: [],
    added: [
      {
        service: 'web-frontend',
        because: { from: 'web-frontend', to: 'search', operation: null },
        reason: 'search has a single version in the traces (1.0.0): no proof that web-frontend works with an older search',
      },
    ],
    versions: { search: { from: '1.0.0', to: null }, 'web-frontend': { from: '5.1.0', to: '5.0.2' } },
    warnings: ['search has no previous version: choose one with --to-version'],
    steps: [
      { kind: 'snapshot', services: ['search', 'web-frontend'], reversible: true, text: 'Record the running versions', evidence: [] },
      { kind: 'dampen', services: ['search'], reversible: true, text: 'Pause search -> api.sendgrid.com', evidence: [] },
      { kind: 'revert', services: ['web-frontend'], reversible: true, text: 'Revert web-frontend to 5.0.2', evidence: [] },
      { kind: 'revert', services: ['search'], reversible: true, text: 'Revert search: no previous version', evidence: [] },
      { kind: 'verify', services: ['search', 'web-frontend'], reversible: true, text: 'Compare with the snapshot', evidence: [] },
      { kind: 'resume', services: ['search'], reversible: true, text: 'Resume search -> api.sendgrid.com', evidence: [] },
      {
        kind: 'compensate',
        services: ['search'],
        reversible: false,
        text: 'Compensate search -> elasticsearch:products',
        evidence: [],
      },
    ],
  },
};

/** Names from traces in every part of an impact report; one caller reverts only through another. */
export const hostileImpact: ImpactView = {
  service: IMG_TAG,
  fromVersion: PIPE_VERSION,
  toVersion: BACKTICK_VERSION,
  mustRevertWith: [MARKDOWN_NAME, TTY_NAME],
  edges: [
    edge(MARKDOWN_NAME, IMG_TAG, {
      tag: ['coordinated', 'observed', `${MARKDOWN_NAME} uses ${PIPE_OPERATION}`],
      operations: [[PIPE_OPERATION, 7, [PIPE_VERSION], ['2.0.0']]],
    }),
    edge(IMG_TAG, 'postgresql:<b>users</b>', {
      type: 'database',
      tag: ['data-migration', 'observed', `${IMG_TAG} writes (DROP TABLE "x"; --)`],
      operations: [[`DROP\u001b[2K`, 1, [], [PIPE_VERSION]]],
    }),
  ],
  plan: hostilePlan,
};

/** Every sample impact with the golden file it renders to (`impact-<name>.txt`). */
export const namedImpacts: readonly { readonly name: string; readonly view: ImpactView }[] = [
  { name: 'shop', view: shopImpact },
  { name: 'first-version', view: firstVersionImpact },
  { name: 'hostile', view: hostileImpact },
];
