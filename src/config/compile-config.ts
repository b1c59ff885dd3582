/**
 * A parsed `Config` -> the matchers derivation and impact tagging call: which override rule
 * tags an edge (CONTRACT §3: config rules before the defaults, first match wins), which calls
 * are dropped, which service a node name stands for. Globs are compiled once; these functions
 * run for every call of large inputs.
 */
import type { CallType } from '../model.js';
import type { IngestLimits } from '../ingest/limits.js';
import type { Config, ImpactRule } from './config-schema.js';

export interface CompiledConfig {
  /** The first impact rule matching the edge, and its index in the `impact` section. */
  impactRuleFor(edge: { from: string; to: string; type: CallType; operations: readonly string[] }): { rule: ImpactRule; index: number } | null;
  /** Whether an `ignore` rule matches the call. */
  isIgnored(call: { from: string; to: string; type: CallType; operation: string }): boolean;
  /** The service of the first alias matching the name, else the name itself. */
  aliasOf(name: string): string;
  /** The limits the file raises or lowers (DeriveOptions.limits); the rest keep their defaults. */
  readonly limits: Partial<IngestLimits>;
}

type Test = (value: string) => boolean;

interface CompiledRule {
  readonly from: Test | null;
  readonly to: Test | null;
  readonly type: CallType | null;
  readonly operation: Test | null;
}

export function compileConfig(config: Config): CompiledConfig {
  const impactRules = config.impact.map((rule) => ({ rule, test: compileRule(rule) }));
  const ignoreRules = config.ignore.map(compileRule);
  const aliases = config.aliases.map((alias) => ({ test: compileGlob(alias.match), service: alias.service }));
  // Node names repeat on every call; each distinct name is matched once.
  const aliasCache = new Map<string, string>();

  return {
    limits: config.limits ?? {},
    impactRuleFor(edge) {
      for (let index = 0; index < impactRules.length; index++) {
        const { rule, test } = impactRules[index]!;
        if (!matchesNodes(test, edge.from, edge.to, edge.type)) continue;
        const operation = test.operation;
        if (operation === null || edge.operations.some(operation)) return { rule, index };
      }
      return null;
    },
    isIgnored(call) {
      return ignoreRules.some((test) => matchesNodes(test, call.from, call.to, call.type) && (test.operation === null || test.operation(call.operation)));
    },
    aliasOf(name) {
      let service = aliasCache.get(name);
      if (service === undefined) {
        service = aliases.find((alias) => alias.test(name))?.service ?? name;
        aliasCache.set(name, service);
      }
      return service;
    },
  };
}

function compileRule(rule: { from?: string | undefined; to?: string | undefined; type?: CallType | undefined; operation?: string | undefined }): CompiledRule {
  return {
    from: rule.from === undefined ? null : compileGlob(rule.from),
    to: rule.to === undefined ? null : compileGlob(rule.to),
    type: rule.type ?? null,
    operation: rule.operation === undefined ? null : compileGlob(rule.operation),
  };
}

function matchesNodes(rule: CompiledRule, from: string, to: string, type: CallType): boolean {
  return (rule.type === null || rule.type === type) && (rule.from === null || rule.from(from)) && (rule.to === null || rule.to(to));
}

/** Most globs are a name, a prefix or a suffix: compare strings for those, and keep regexes for the rest. */
function compileGlob(glob: string): Test {
  const wildcards = glob.match(/[*?]/g)?.length ?? 0;
  if (wildcards === 0) return (value) => value === glob;
  if (wildcards === 1 && glob.endsWith('*')) {
    const prefix = glob.slice(0, -1);
    return (value) => value.startsWith(prefix);
  }
  if (wildcards === 1 && glob.startsWith('*')) {
    const suffix = glob.slice(1);
    return (value) => value.endsWith(suffix);
  }
  const regExp = globToRegExp(glob);
  return (value) => regExp.test(value);
}

/**
 * A glob as an anchored, case-sensitive regular expression: `*` is any run of characters
 * (including `/` and `:`, so `GET /v1/*` covers every path below), `?` exactly one character,
 * everything else literal.
 */
export function globToRegExp(glob: string): RegExp {
  let pattern = '';
  let previous = '';
  for (const char of glob) {
    if (char === '*') {
      // `**` means what `*` means; collapsing it keeps backtracking down.
      if (previous !== '*') pattern += '.*';
    } else if (char === '?') {
      pattern += '.';
    } else {
      pattern += /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
    }
    previous = char;
  }
  // `s`: a name with a line break is still one name; `u`: `?` is one character, not one UTF-16 unit.
  return new RegExp(`^${pattern}$`, 'su');
}
