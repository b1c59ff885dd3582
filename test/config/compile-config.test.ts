import { describe, expect, it } from 'vitest';
import { compileConfig, globToRegExp } from '../../src/config/compile-config.js';
import type { Config, IgnoreRule, ImpactRule } from '../../src/config/config-schema.js';
import { parseConfig } from '../../src/config/parse-config.js';
import type { CallType } from '../../src/model.js';

function configWith(sections: Partial<Config>): Config {
  return { impact: [], ignore: [], aliases: [], ...sections };
}

function rule(fields: Partial<ImpactRule>): ImpactRule {
  return { impact: 'independent', confidence: 'observed', reason: 'a test rule', ...fields };
}

function edge(from: string, to: string, type: CallType, operations: readonly string[] = []) {
  return { from, to, type, operations };
}

function call(from: string, to: string, type: CallType, operation: string) {
  return { from, to, type, operation };
}

/** Which rule, by index, tags the edge; null for the default rules. */
function ruleIndexFor(rules: readonly ImpactRule[], ...args: Parameters<typeof edge>): number | null {
  return compileConfig(configWith({ impact: rules })).impactRuleFor(edge(...args))?.index ?? null;
}

function ignores(rules: readonly IgnoreRule[], ...args: Parameters<typeof call>): boolean {
  return compileConfig(configWith({ ignore: rules })).isIgnored(call(...args));
}

describe('globToRegExp', () => {
  it('is anchored and case-sensitive', () => {
    const checkout = globToRegExp('checkout');
    expect(checkout.test('checkout')).toBe(true);
    expect(checkout.test('checkout-v2')).toBe(false);
    expect(checkout.test('old-checkout')).toBe(false);
    expect(checkout.test('Checkout')).toBe(false);
  });

  it('lets * match any run of characters, including / and : and none at all', () => {
    const v1 = globToRegExp('GET /v1/*');
    expect(v1.test('GET /v1/')).toBe(true);
    expect(v1.test('GET /v1/products/{id}/reviews')).toBe(true);
    expect(v1.test('GET /v2/products')).toBe(false);
    const redis = globToRegExp('redis:*');
    expect(redis.test('redis:sessions:eu-west-1')).toBe(true);
    expect(redis.test('redis')).toBe(false);
    expect(globToRegExp('*').test('')).toBe(true);
    expect(globToRegExp('checkout-**-*').test('checkout-7d9f-x2')).toBe(true);
  });

  it('lets ? match exactly one character, a non-ASCII one too', () => {
    const pod = globToRegExp('payments-?');
    expect(pod.test('payments-a')).toBe(true);
    expect(pod.test('payments-é')).toBe(true);
    expect(pod.test('payments-😀')).toBe(true);
    expect(pod.test('payments-')).toBe(false);
    expect(pod.test('payments-ab')).toBe(false);
  });

  it('takes regex metacharacters literally', () => {
    expect(globToRegExp('api.stripe.com').test('api.stripe.com')).toBe(true);
    expect(globToRegExp('api.stripe.com').test('apiXstripe.com')).toBe(false);
    expect(globToRegExp('POST /charges (v2)').test('POST /charges (v2)')).toBe(true);
    expect(globToRegExp('POST /charges (v2)').test('POST /charges v2')).toBe(false);
    for (const name of ['a+b', 'a|b', '^a$', 'a[0]', 'a{2}', 'a\\b', 'GET /items/{id}']) {
      expect(globToRegExp(name).test(name)).toBe(true);
    }
    expect(globToRegExp('a|b').test('a')).toBe(false);
    expect(globToRegExp('a{2}').test('aa')).toBe(false);
  });

  it('matches a name with a line break in it', () => {
    expect(globToRegExp('SELECT *').test('SELECT id\nFROM orders')).toBe(true);
  });
});

describe('compileConfig: the empty config', () => {
  const compiled = compileConfig(configWith({}));

  it('tags nothing, ignores nothing and renames nothing', () => {
    expect(compiled.impactRuleFor(edge('web-storefront', 'catalog', 'sync', ['GET /v1/products']))).toBeNull();
    expect(compiled.isIgnored(call('web-storefront', 'catalog', 'sync', 'GET /health'))).toBe(false);
    expect(compiled.aliasOf('checkout-7d9f8-x2lq')).toBe('checkout-7d9f8-x2lq');
  });
});

describe('compileConfig: impactRuleFor', () => {
  it('matches on from, to, type and operation, each a glob', () => {
    const rules = [rule({ from: 'web-*', to: 'catalog', operation: 'GET /v1/*' })];
    expect(ruleIndexFor(rules, 'web-storefront', 'catalog', 'sync', ['GET /v1/products/{id}'])).toBe(0);
    expect(ruleIndexFor(rules, 'mobile-bff', 'catalog', 'sync', ['GET /v1/products/{id}'])).toBeNull();
    expect(ruleIndexFor(rules, 'web-storefront', 'catalog-v2', 'sync', ['GET /v1/products/{id}'])).toBeNull();
    expect(ruleIndexFor(rules, 'web-storefront', 'catalog', 'sync', ['GET /v2/products/{id}'])).toBeNull();
    expect(ruleIndexFor([rule({ type: 'database' })], 'orders', 'postgresql:orders', 'database')).toBe(0);
    expect(ruleIndexFor([rule({ type: 'database' })], 'orders', 'postgresql:orders', 'sync')).toBeNull();
  });

  it('matches an operation glob when any one operation of the edge matches it', () => {
    const rules = [rule({ to: 'catalog', operation: 'GET /v1/*' })];
    expect(ruleIndexFor(rules, 'web-storefront', 'catalog', 'sync', ['POST /v2/products', 'GET /v1/products', 'DELETE /v2/products/{id}'])).toBe(0);
    expect(ruleIndexFor(rules, 'web-storefront', 'catalog', 'sync', ['POST /v2/products'])).toBeNull();
    expect(ruleIndexFor(rules, 'web-storefront', 'catalog', 'sync', [])).toBeNull();
  });

  it('lets the first matching rule win, and says which one it was', () => {
    const rules = [
      rule({ to: 'ledger', operation: 'SELECT', impact: 'independent', reason: 'reads only' }),
      rule({ to: 'ledger', impact: 'data-migration', reason: 'ledger rows are append-only' }),
      rule({ to: 'ledger', impact: 'coordinated', reason: 'never reached for ledger' }),
    ];
    const compiled = compileConfig(configWith({ impact: rules }));
    expect(compiled.impactRuleFor(edge('payments', 'ledger', 'database', ['INSERT']))).toEqual({ rule: rules[1], index: 1 });
    expect(compiled.impactRuleFor(edge('payments', 'ledger', 'database', ['INSERT', 'SELECT']))).toEqual({ rule: rules[0], index: 0 });
  });

  it('matches names with regex metacharacters literally', () => {
    const rules = [rule({ to: 'api.stripe.com', operation: 'POST /v1/charges (v2)' })];
    expect(ruleIndexFor(rules, 'payments', 'api.stripe.com', 'external', ['POST /v1/charges (v2)'])).toBe(0);
    expect(ruleIndexFor(rules, 'payments', 'apiXstripe.com', 'external', ['POST /v1/charges (v2)'])).toBeNull();
    expect(ruleIndexFor(rules, 'payments', 'api.stripe.com', 'external', ['POST /v1/charges v2'])).toBeNull();
  });
});

describe('compileConfig: isIgnored', () => {
  it('ignores by operation', () => {
    const rules: IgnoreRule[] = [{ operation: 'GET /health*', reason: 'kubelet probes' }];
    expect(ignores(rules, 'kubelet', 'checkout', 'sync', 'GET /healthz')).toBe(true);
    expect(ignores(rules, 'kubelet', 'checkout', 'sync', 'GET /health/ready')).toBe(true);
    expect(ignores(rules, 'web-storefront', 'checkout', 'sync', 'GET /cart')).toBe(false);
  });

  it('ignores by callee, caller and type', () => {
    expect(ignores([{ to: 'metadata.google.internal' }], 'checkout', 'metadata.google.internal', 'external', 'GET')).toBe(true);
    expect(ignores([{ to: 'metadata.google.internal' }], 'checkout', 'metadataXgoogle.internal', 'external', 'GET')).toBe(false);
    expect(ignores([{ from: 'load-generator' }], 'load-generator', 'web-storefront', 'sync', 'GET /')).toBe(true);
    expect(ignores([{ from: 'load-generator' }], 'web-storefront', 'load-generator', 'sync', 'GET /')).toBe(false);
    expect(ignores([{ type: 'async' }], 'checkout', 'order-worker', 'async', 'orders process')).toBe(true);
    expect(ignores([{ type: 'async' }], 'checkout', 'payments', 'sync', 'POST /charges')).toBe(false);
  });

  it('needs every field of a rule to match, and any one rule', () => {
    const rules: IgnoreRule[] = [{ from: 'checkout', to: 'redis:*' }, { operation: 'GET /health*' }];
    expect(ignores(rules, 'checkout', 'redis:sessions', 'database', 'GET')).toBe(true);
    expect(ignores(rules, 'payments', 'redis:sessions', 'database', 'GET')).toBe(false);
    expect(ignores(rules, 'payments', 'catalog', 'sync', 'GET /healthz')).toBe(true);
  });
});

describe('compileConfig: aliasOf', () => {
  it('maps a name to the service of the first matching alias', () => {
    const compiled = compileConfig(
      configWith({
        aliases: [
          { match: 'checkout-canary-*', service: 'checkout-canary' },
          { match: 'checkout-*-*', service: 'checkout' },
          { match: 'payments.internal', service: 'payments' },
          { match: '*.payments.internal', service: 'payments' },
        ],
      }),
    );
    expect(compiled.aliasOf('checkout-7d9f8-x2lq')).toBe('checkout');
    expect(compiled.aliasOf('checkout-canary-x2lq')).toBe('checkout-canary');
    expect(compiled.aliasOf('payments.internal')).toBe('payments');
    expect(compiled.aliasOf('eu.payments.internal')).toBe('payments');
    expect(compiled.aliasOf('paymentsXinternal')).toBe('paymentsXinternal');
    expect(compiled.aliasOf('checkout')).toBe('checkout');
    // Answered from the cache the second time; the same answer.
    expect(compiled.aliasOf('checkout-7d9f8-x2lq')).toBe('checkout');
  });

  it('keeps the precedence of the file', () => {
    const yaml = 'aliases:\n  "checkout-*": checkout\n  "checkout-canary-*": checkout-canary\n';
    const parsed = parseConfig(yaml, 'yaml');
    if ('problems' in parsed) throw new Error(parsed.problems.join('\n'));
    expect(compileConfig(parsed.config).aliasOf('checkout-canary-x2lq')).toBe('checkout');
  });
});

describe('compileConfig: a typical config file end to end', () => {
  it('gives the same answers from YAML and JSON', () => {
    const yaml = [
      'impact:',
      '  - from: "web-*"',
      '    to: catalog',
      '    operation: "GET /v1/*"',
      '    impact: independent',
      '    reason: "catalog\'s v1 API is frozen; old clients keep working"',
      'ignore:',
      '  - operation: "GET /health*"',
      'aliases:',
      '  "catalog-*-*": catalog',
      '',
    ].join('\n');
    const json = JSON.stringify({
      impact: [{ from: 'web-*', to: 'catalog', operation: 'GET /v1/*', impact: 'independent', reason: "catalog's v1 API is frozen; old clients keep working" }],
      ignore: [{ operation: 'GET /health*' }],
      aliases: { 'catalog-*-*': 'catalog' },
    });
    for (const [text, format] of [
      [yaml, 'yaml'],
      [json, 'json'],
    ] as const) {
      const parsed = parseConfig(text, format);
      if ('problems' in parsed) throw new Error(parsed.problems.join('\n'));
      const compiled = compileConfig(parsed.config);
      const tagged = compiled.impactRuleFor(edge('web-storefront', compiled.aliasOf('catalog-5c8b7-q9z2'), 'sync', ['GET /v1/products']));
      expect(tagged?.index).toBe(0);
      expect(tagged?.rule.confidence).toBe('observed');
      expect(compiled.isIgnored(call('kubelet', 'catalog', 'sync', 'GET /healthz'))).toBe(true);
    }
  });
});
