import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from '../../src/config/find-json-syntax-error.js';
import { formatOf, parseConfig, type ConfigFormat } from '../../src/config/parse-config.js';
import type { Config } from '../../src/config/config-schema.js';

const EMPTY: Config = { impact: [], ignore: [], aliases: [] };

function problemsOf(text: string, format: ConfigFormat): string[] {
  const parsed = parseConfig(text, format);
  if (!('problems' in parsed)) throw new Error(`expected problems, got ${JSON.stringify(parsed.config)}`);
  return parsed.problems;
}

function configOf(text: string, format: ConfigFormat): Config {
  const parsed = parseConfig(text, format);
  if ('problems' in parsed) throw new Error(`expected a config, got:\n${parsed.problems.join('\n')}`);
  return parsed.config;
}

/** The same data in both formats: JSON.stringify writes JSON, and JSON is valid YAML flow style too. */
function problemsInBoth(data: unknown): string[] {
  const json = problemsOf(JSON.stringify(data, null, 2), 'json');
  expect(problemsOf(toYaml(data), 'yaml')).toEqual(json);
  return json;
}

/** Block-style YAML for the plain data of these tests (strings, numbers, lists, mappings). */
function toYaml(data: unknown, indent = ''): string {
  if (Array.isArray(data)) {
    return data.map((item) => `${indent}-${isNested(item) ? `\n${toYaml(item, `${indent}  `)}` : ` ${JSON.stringify(item)}\n`}`).join('');
  }
  if (typeof data === 'object' && data !== null) {
    return Object.entries(data)
      .map(([key, value]) => `${indent}${JSON.stringify(key)}:${isNested(value) ? `\n${toYaml(value, `${indent}  `)}` : ` ${JSON.stringify(value)}\n`}`)
      .join('');
  }
  return `${indent}${JSON.stringify(data)}\n`;
}

const isNested = (value: unknown) => typeof value === 'object' && value !== null && Object.keys(value).length > 0;

describe('parseConfig: syntax errors', () => {
  it('gives line and column of a JSON syntax error', () => {
    const text = ['{', '  "impact": [', '    { "to": "catalog" "impact": "independent" }', '  ]', '}'].join('\n');
    expect(problemsOf(text, 'json')).toEqual(['3:23: unexpected string; expected "," or "}"']);
  });

  it.each([
    ['a trailing comma', '{\n  "ignore": [\n    { "to": "metadata.google.internal" },\n  ]\n}', '3:41: trailing comma before "]"'],
    ['an unquoted key', '{\n  impact: []\n}', '2:3: unexpected "impact"; expected a property name in double quotes'],
    ['single quotes', "{\n  'impact': []\n}", '2:3: strings need double quotes, not single quotes'],
    ['a missing value', '{ "aliases": }', '1:14: unexpected "}"; expected a value'],
    ['a missing colon', '{ "aliases" {} }', '1:13: unexpected "{"; expected ":" after the property name'],
    ['an unclosed string', '{ "aliases": { "checkout-*": "checkout\n } }', '1:39: line break inside a string (a closing quote missing?)'],
    ['a bad escape', '{ "aliases": { "a\\qb": "checkout" } }', '1:18: invalid escape "\\\\q" in a string'],
    ['a truncated file', '{\n  "impact": [\n', '3:1: unexpected end of file; expected a value'],
    ['text after the value', '{}\n{}', '2:1: unexpected content after the end of the JSON value'],
    ['a capitalised literal', '{ "impact": True }', '1:13: unexpected "True"; expected a value (strings need double quotes)'],
  ])('names %s in JSON with its position', (_, text, problem) => {
    expect(problemsOf(text, 'json')).toEqual([problem]);
  });

  it('locates every JSON error JSON.parse rejects, on deep nesting too', () => {
    expect(findJsonSyntaxError('[1, 2]')).toBeNull();
    expect(findJsonSyntaxError('{"a": [true, false, null, -1.5e3, "\\u00e9\\n"]}')).toBeNull();
    const deep = `${'['.repeat(100_000)}${']'.repeat(99_999)}`;
    expect(() => JSON.parse(deep)).toThrow();
    expect(findJsonSyntaxError(deep)).toEqual({ offset: deep.length, message: 'unexpected end of file; expected "," or "]"' });
  });

  it('gives line and column of a YAML syntax error', () => {
    const text = ['impact:', '  - from: web', '    to: [catalog', '    impact: independent', ''].join('\n');
    const [problem, ...rest] = problemsOf(text, 'yaml');
    expect(rest).toEqual([]);
    expect(problem).toBe('4:5: Flow sequence in block collection must be sufficiently indented and end with a ]');
  });

  it('reports every YAML syntax error, each with its line', () => {
    const text = ['ignore:', '  - to: metadata.google.internal', '    to: metadata', 'aliases:', '  "checkout-*: checkout', ''].join('\n');
    const problems = problemsOf(text, 'yaml');
    expect(problems).toContain('3:5: Map keys must be unique');
    expect(problems.some((p) => p.startsWith('6:1: Missing closing "quote'))).toBe(true);
  });

  it('explains that an unquoted glob starting with * is a YAML alias', () => {
    expect(problemsOf('ignore:\n  - to: *.internal\n', 'yaml')).toEqual([
      '2:9: *.internal is a YAML alias to an anchor that does not exist; quote a glob that starts with *: "*.internal"',
    ]);
    expect(problemsOf('ignore:\n  - to: *\n', 'yaml')).toEqual(['2:9: a lone * is a YAML alias; quote the glob: "*"']);
  });

  it('refuses a YAML file of several documents', () => {
    expect(problemsOf('ignore: []\n---\naliases: {}\n', 'yaml')).toEqual(['2:1: the file holds more than one YAML document; a config file is one document']);
  });

  it('refuses a YAML file whose aliases expand without bound', () => {
    const lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
    for (let level = 1; level < 8; level++) lines.push(`${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(10).fill(`*${String.fromCharCode(96 + level)}`).join(', ')}]`);
    const problems = problemsOf(lines.join('\n'), 'yaml');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/alias/i);
  });
});

describe('parseConfig: schema problems', () => {
  it('refuses a config that is not a mapping', () => {
    for (const text of ['[]', '"impact"', 'null', '42']) {
      expect(problemsOf(text, 'json')).toEqual(['the config must be a mapping with the sections impact, ignore, aliases, limits']);
    }
    expect(problemsOf('- impact\n', 'yaml')).toEqual(['the config must be a mapping with the sections impact, ignore, aliases, limits']);
  });

  it('rejects unknown keys at every level, suggesting the key meant', () => {
    expect(problemsInBoth({ impacts: [] })).toEqual(['unknown key "impacts" (did you mean "impact"?)']);
    expect(problemsInBoth({ rules: [] })).toEqual(['unknown key "rules" (known keys: impact, ignore, aliases, limits)']);
    expect(problemsInBoth({ impact: [{ form: 'web-*', to: 'catalog', impact: 'independent', reason: 'v1 is frozen' }] })).toEqual([
      'impact.0: unknown key "form" (did you mean "from"?)',
    ]);
    expect(problemsInBoth({ ignore: [{ to: 'metadata.google.internal', because: 'GCE metadata server' }] })).toEqual([
      'ignore.0: unknown key "because" (known keys: from, to, type, operation, reason)',
    ]);
  });

  it('requires the reason and the impact of an impact rule', () => {
    expect(problemsInBoth({ impact: [{ to: 'catalog', impact: 'independent' }] })).toEqual(['impact.0.reason: is required (a sentence saying why)']);
    expect(problemsInBoth({ impact: [{ to: 'catalog', impact: 'independent', reason: '' }] })).toEqual(['impact.0.reason: must be a non-empty sentence']);
    expect(problemsInBoth({ impact: [{ to: 'catalog', impact: 'independent', reason: '  ' }] })).toEqual(['impact.0.reason: must be a non-empty sentence']);
    expect(problemsInBoth({ impact: [{ to: 'catalog', reason: 'v1 is frozen' }] })).toEqual([
      'impact.0.impact: is required (one of independent, coordinated, data-migration)',
    ]);
  });

  it('requires a matcher in every rule', () => {
    expect(problemsInBoth({ impact: [{ impact: 'coordinated', reason: 'everything moves together' }], ignore: [{ reason: 'probes' }] })).toEqual([
      'impact.0: needs at least one of from, to, type, operation',
      'ignore.0: needs at least one of from, to, type, operation',
    ]);
  });

  it('names the allowed values of impact, confidence and type', () => {
    expect(
      problemsInBoth({
        impact: [
          { to: 'catalog', impact: 'independent', reason: 'v1 is frozen' },
          { to: 'ledger', impact: 'irreversible', confidence: 'certain', reason: 'ledger entries stay' },
        ],
        ignore: [{ type: 'http' }],
      }),
    ).toEqual([
      'impact.1.impact: must be one of independent, coordinated, data-migration',
      'impact.1.confidence: must be one of observed, assumed',
      'ignore.0.type: must be one of sync, async, database, external',
    ]);
  });

  it('wants globs to be non-empty strings', () => {
    expect(problemsInBoth({ ignore: [{ from: '', to: 42, operation: ['GET /health'] }] })).toEqual([
      'ignore.0.from: must be a non-empty glob',
      'ignore.0.to: must be a non-empty glob',
      'ignore.0.operation: must be a non-empty glob',
    ]);
  });

  it('wants each alias to map a glob to a non-empty service name', () => {
    expect(problemsInBoth({ aliases: { 'checkout-*': 5, 'payments.internal': '', '': 'web', 'catalog-*': ['catalog'] } })).toEqual([
      'aliases.checkout-*: must be a non-empty service name',
      'aliases."payments.internal": must be a non-empty service name',
      'aliases."": must be a non-empty glob',
      'aliases.catalog-*: must be a non-empty service name',
    ]);
    expect(problemsInBoth({ aliases: [{ match: 'checkout-*', service: 'checkout' }] })).toEqual(['aliases: must be a mapping from glob to service name']);
  });

  it('wants sections of the right shape', () => {
    expect(problemsInBoth({ impact: { to: 'catalog' }, ignore: ['GET /health'] })).toEqual([
      'impact: must be a list of rules',
      'ignore.0: must be a mapping (a rule)',
    ]);
  });

  it('reports every problem of a file, not just the first', () => {
    const text = [
      'impact:',
      '  - form: "web-*"',
      '    impact: independant',
      '  - to: ledger',
      '    type: rpc',
      '    impact: data-migration',
      'ignore:',
      '  - reason: kubelet probes',
      'aliases:',
      '  "checkout-*-*": 7',
      'alias: {}',
      '',
    ].join('\n');
    expect(problemsOf(text, 'yaml')).toEqual([
      'impact.0.impact: must be one of independent, coordinated, data-migration',
      'impact.0.reason: is required (a sentence saying why)',
      'impact.0: unknown key "form" (did you mean "from"?)',
      'impact.0: needs at least one of from, to, type, operation',
      'impact.1.type: must be one of sync, async, database, external',
      'impact.1.reason: is required (a sentence saying why)',
      'ignore.0: needs at least one of from, to, type, operation',
      'aliases.checkout-*-*: must be a non-empty service name',
      'unknown key "alias" (did you mean "aliases"?)',
    ]);
  });
});

describe('parseConfig: the empty config', () => {
  it.each([
    ['an empty JSON file', '', 'json'],
    ['a JSON file of whitespace', ' \n\t\n', 'json'],
    ['an empty JSON object', '{}', 'json'],
    ['an empty YAML file', '', 'yaml'],
    ['a YAML file of comments', '# rollgraph config\n# nothing yet\n', 'yaml'],
    ['an empty YAML document', '---\n', 'yaml'],
    ['YAML sections with every entry commented out', 'impact:\n#  - to: catalog\nignore:\naliases:\n', 'yaml'],
    ['JSON sections that are empty', '{ "impact": [], "ignore": [], "aliases": {} }', 'json'],
  ] as const)('is %s', (_, text, format) => {
    expect(configOf(text, format)).toEqual(EMPTY);
  });
});

const TYPICAL_YAML = `# rollgraph.config.yaml
impact:
  - from: "web-*"
    to: catalog
    operation: "GET /v1/*"
    impact: independent
    reason: "catalog's v1 API is frozen; old clients keep working"
  - to: ledger
    type: database
    impact: data-migration
    confidence: assumed
    reason: ledger rows are append-only
ignore:
  - operation: "GET /health*"
    reason: kubelet probes
  - to: metadata.google.internal
aliases:
  "checkout-*-*": checkout
  "payments.internal": payments
  "*.payments.internal": payments
`;

const TYPICAL_JSON = `{
  "impact": [
    {
      "from": "web-*",
      "to": "catalog",
      "operation": "GET /v1/*",
      "impact": "independent",
      "reason": "catalog's v1 API is frozen; old clients keep working"
    },
    { "to": "ledger", "type": "database", "impact": "data-migration", "confidence": "assumed", "reason": "ledger rows are append-only" }
  ],
  "ignore": [
    { "operation": "GET /health*", "reason": "kubelet probes" },
    { "to": "metadata.google.internal" }
  ],
  "aliases": {
    "checkout-*-*": "checkout",
    "payments.internal": "payments",
    "*.payments.internal": "payments"
  }
}
`;

describe('parseConfig: typical configs', () => {
  it('reads a YAML config, with confidence observed by default and aliases in file order', () => {
    expect(configOf(TYPICAL_YAML, 'yaml')).toEqual({
      impact: [
        {
          from: 'web-*',
          to: 'catalog',
          operation: 'GET /v1/*',
          impact: 'independent',
          confidence: 'observed',
          reason: "catalog's v1 API is frozen; old clients keep working",
        },
        { to: 'ledger', type: 'database', impact: 'data-migration', confidence: 'assumed', reason: 'ledger rows are append-only' },
      ],
      ignore: [{ operation: 'GET /health*', reason: 'kubelet probes' }, { to: 'metadata.google.internal' }],
      aliases: [
        { match: 'checkout-*-*', service: 'checkout' },
        { match: 'payments.internal', service: 'payments' },
        { match: '*.payments.internal', service: 'payments' },
      ],
    });
  });

  it('reads the same config from JSON identically', () => {
    expect(configOf(TYPICAL_JSON, 'json')).toEqual(configOf(TYPICAL_YAML, 'yaml'));
  });

  it('reads a file saved with a byte-order mark', () => {
    expect(configOf(`\uFEFF${TYPICAL_JSON}`, 'json')).toEqual(configOf(TYPICAL_JSON, 'json'));
    expect(configOf(`\uFEFF${TYPICAL_YAML}`, 'yaml')).toEqual(configOf(TYPICAL_YAML, 'yaml'));
  });

  it('reads YAML anchors and values YAML 1.1 would have turned into booleans', () => {
    const text = ['ignore:', '  - to: "no"', '    reason: &probe kubelet probes', '  - operation: "GET /ready"', '    reason: *probe', ''].join('\n');
    expect(configOf(text, 'yaml').ignore).toEqual([
      { to: 'no', reason: 'kubelet probes' },
      { operation: 'GET /ready', reason: 'kubelet probes' },
    ]);
  });
});

describe('formatOf', () => {
  it('knows a config file by its extension', () => {
    expect(formatOf('rollgraph.config.json')).toBe('json');
    expect(formatOf('rollgraph.config.yaml')).toBe('yaml');
    expect(formatOf('conf/rollgraph.yml')).toBe('yaml');
    expect(formatOf('ROLLGRAPH.YAML')).toBe('yaml');
  });

  it('is null for any other name', () => {
    expect(formatOf('rollgraph.config.toml')).toBeNull();
    expect(formatOf('rollgraph')).toBeNull();
    expect(formatOf('yaml')).toBeNull();
    expect(formatOf('conf.json/rollgraph')).toBeNull();
    expect(formatOf('rollgraph.config.json.bak')).toBeNull();
  });
});
