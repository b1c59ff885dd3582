/**
 * The configuration file, as a zod schema (CONTRACT §3 overrides, §5 config file). Every section
 * is optional and every mapping strict, so a misspelt key is a problem rather than a rule that
 * silently never applies. Messages are written for the user: `parseConfig` prefixes each with
 * the path of the offending value.
 */
import { z } from 'zod';
import type { CallType, Confidence, Impact } from '../model.js';
import type { IngestLimits } from '../ingest/limits.js';

/** An impact override, checked before the default rules of CONTRACT §3; the first match wins. */
export interface ImpactRule {
  /** Glob on the caller. */
  readonly from?: string | undefined;
  /** Glob on the callee. */
  readonly to?: string | undefined;
  readonly type?: CallType | undefined;
  /** Glob on an operation; matches when at least one operation of the edge matches. */
  readonly operation?: string | undefined;
  readonly impact: Impact;
  /** `observed` unless the file says otherwise. */
  readonly confidence: Confidence;
  /** Why the rule holds; becomes the reason of every edge it tags. */
  readonly reason: string;
}

/** Calls to drop before they become edges: health checks, probes, metadata servers. */
export interface IgnoreRule {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly type?: CallType | undefined;
  readonly operation?: string | undefined;
  readonly reason?: string | undefined;
}

/** Node names (pod names, hosts) matching `match` are the service `service`. */
export interface Alias {
  readonly match: string;
  readonly service: string;
}

/** A parsed configuration: missing sections are empty lists, aliases in precedence order. */
export interface Config {
  readonly impact: readonly ImpactRule[];
  readonly ignore: readonly IgnoreRule[];
  readonly aliases: readonly Alias[];
  /** Bounds on hostile input that differ from the defaults (docs/limits.md). */
  readonly limits?: Partial<IngestLimits> | undefined;
}

const CALL_TYPES = ['sync', 'async', 'database', 'external'] as const satisfies readonly CallType[];
const IMPACTS = ['independent', 'coordinated', 'data-migration'] as const satisfies readonly Impact[];
const CONFIDENCES = ['observed', 'assumed'] as const satisfies readonly Confidence[];

// Compile-time guards: a value added to model.ts must be added here too.
type Covers<Listed, All> = [Exclude<All, Listed>] extends [never] ? true : false;
const listsAreComplete: [
  Covers<(typeof CALL_TYPES)[number], CallType>,
  Covers<(typeof IMPACTS)[number], Impact>,
  Covers<(typeof CONFIDENCES)[number], Confidence>,
] = [true, true, true];
void listsAreComplete;

/** The keys a rule can match on; a rule needs at least one. */
const MATCHER_KEYS = ['from', 'to', 'type', 'operation'] as const;

const isMissing = (input: unknown) => input === undefined;

/** A non-blank string; `required` words the problem when the key is missing altogether. */
function expectText(what: string, required?: string) {
  const message = `must be ${what}`;
  return z
    .string({ error: (issue) => (required !== undefined && isMissing(issue.input) ? `is required (${required})` : message) })
    .refine((value) => value.trim() !== '', { error: message });
}

function expectOneOf<const T extends readonly [string, ...string[]]>(values: T, isRequired = false) {
  const list = values.join(', ');
  return z.enum(values, { error: (issue) => (isRequired && isMissing(issue.input) ? `is required (one of ${list})` : `must be one of ${list}`) });
}

const expectGlob = () => expectText('a non-empty glob').optional();

const matchers = {
  from: expectGlob(),
  to: expectGlob(),
  type: expectOneOf(CALL_TYPES).optional(),
  operation: expectGlob(),
};

/** Words the problem of a value of the wrong type; other problems keep their own words. */
const explainType = (what: string) => ({
  error: (issue: { code?: string }) => (issue.code === 'invalid_type' ? `must be ${what}` : undefined),
});

/** Runs even when other keys of the rule are wrong, so every problem of a file is reported. */
function requireMatcher<T extends z.ZodType>(rule: T): T {
  return rule.refine((value) => MATCHER_KEYS.some((key) => (value as Record<string, unknown>)[key] !== undefined), {
    error: `needs at least one of ${MATCHER_KEYS.join(', ')}`,
    when: (payload) => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value),
  });
}

/** YAML writes a section whose entries are all commented out as `impact:`, which is null. */
const defaultToEmpty = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? []);

const impactRuleShape = {
  ...matchers,
  impact: expectOneOf(IMPACTS, true),
  confidence: expectOneOf(CONFIDENCES).default('observed'),
  reason: expectText('a non-empty sentence', 'a sentence saying why'),
};

const ignoreRuleShape = { ...matchers, reason: expectText('a non-empty sentence').optional() };

const positiveInteger = () => z.number(explainType('a whole number')).int({ error: 'must be a whole number' }).positive({ error: 'must be above 0' });

/** Every limit of docs/limits.md; sizes in bytes. */
const limitsShape = {
  maxValueBytes: positiveInteger().optional(),
  maxNestingDepth: positiveInteger().optional(),
  maxAttributeBytes: positiveInteger().optional(),
  maxMessageBytes: positiveInteger().optional(),
  maxDecompressedBytes: positiveInteger().nullable().optional(),
  maxDecompressionRatio: z.number(explainType('a number')).min(1, { error: 'must be at least 1' }).optional(),
  decompressionRatioFloor: z.number(explainType('a whole number')).int({ error: 'must be a whole number' }).nonnegative({ error: 'must be 0 or more' }).optional(),
  maxSpansPerTrace: positiveInteger().optional(),
};

const configShape = {
  impact: defaultToEmpty(z.array(requireMatcher(z.strictObject(impactRuleShape, explainType('a mapping (a rule)'))), explainType('a list of rules'))),
  ignore: defaultToEmpty(z.array(requireMatcher(z.strictObject(ignoreRuleShape, explainType('a mapping (a rule)'))), explainType('a list of rules'))),
  aliases: defaultToEmpty(
    z
      .record(expectText('a non-empty glob'), expectText('a non-empty service name'), explainType('a mapping from glob to service name'))
      .transform((record) => Object.entries(record).map(([match, service]): Alias => ({ match, service }))),
  ),
  limits: z.strictObject(limitsShape, explainType('a mapping from limit name to number')).nullish().transform((value) => value ?? undefined),
};

/** The keys each strict mapping allows, by path (`#` for a list index): for "did you mean". */
export const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(configShape),
  'impact.#': Object.keys(impactRuleShape),
  'ignore.#': Object.keys(ignoreRuleShape),
  limits: Object.keys(limitsShape),
};

export const configSchema: z.ZodType<Config> = z.strictObject(configShape, {
  error: () => 'the config must be a mapping with the sections impact, ignore, aliases, limits',
});
