/**
 * Text of a config file -> a `Config`, or every problem in it (CONTRACT §5). Pure: the caller
 * reads the file and prints the problems, each prefixed with the file name. Syntax problems
 * start with `line:column`; schema problems with the path of the offending value
 * (`impact.0.reason: ...`), or nothing when the whole file is the offender.
 */
import { LineCounter, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { KNOWN_KEYS, configSchema, type Config } from './config-schema.js';
import { findJsonSyntaxError } from './find-json-syntax-error.js';

export type ConfigFormat = 'json' | 'yaml';

export type ParsedConfig = { config: Config } | { problems: string[] };

/** The format a config file is written in, by its extension; null when it names neither. */
export function formatOf(fileName: string): ConfigFormat | null {
  const extension = /\.([^./\\]+)$/.exec(fileName)?.[1]?.toLowerCase();
  if (extension === 'json') return 'json';
  if (extension === 'yaml' || extension === 'yml') return 'yaml';
  return null;
}

export function parseConfig(text: string, format: ConfigFormat): ParsedConfig {
  // Editors on Windows save a byte-order mark that JSON.parse rejects.
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const read = format === 'json' ? readJson(source) : readYaml(source);
  if ('problems' in read) return read;
  // An empty file, or a YAML file of comments only, is the empty config.
  const data = read.data === undefined ? {} : read.data;
  const result = configSchema.safeParse(data);
  return result.success ? { config: result.data } : { problems: result.error.issues.flatMap(describeIssue) };
}

// ---------------------------------------------------------------------------------------------
// Syntax

type Read = { data: unknown } | { problems: string[] };

function readJson(source: string): Read {
  if (source.trim() === '') return { data: undefined };
  try {
    return { data: JSON.parse(source) as unknown };
  } catch (error) {
    const found = findJsonSyntaxError(source);
    // The scan agrees with JSON.parse; should they ever differ, V8's own words are still an answer.
    return { problems: [found === null ? (error as Error).message : `${locate(source, found.offset)}: ${found.message}`] };
  }
}

function readYaml(source: string): Read {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${line}:${col}`;
  };
  const problems = doc.errors.map((error) => `${at(error.pos[0])}: ${rewordYamlError(error.code, error.message)}`);
  // An unquoted glob that starts with `*` is a YAML alias: say so, with where it is.
  visit(doc, {
    Alias(_, node) {
      if (node.source !== '' && node.resolve(doc) === undefined) {
        problems.push(`${at(node.range?.[0] ?? 0)}: *${node.source} is a YAML alias to an anchor that does not exist; quote a glob that starts with *: "*${node.source}"`);
      }
    },
  });
  if (problems.length > 0) return { problems };
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }) ?? undefined };
  } catch (error) {
    // Too many aliases (a "billion laughs" file) and other refusals of the converter.
    return { problems: [(error as Error).message] };
  }
}

function rewordYamlError(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'the file holds more than one YAML document; a config file is one document';
  if (code === 'BAD_ALIAS' && message.includes('empty')) return 'a lone * is a YAML alias; quote the glob: "*"';
  return message;
}

/** `line:column` of an offset, both from 1, as editors count them. */
function locate(source: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `${line}:${offset - lineStart + 1}`;
}

// ---------------------------------------------------------------------------------------------
// Schema

type Issue = z.core.$ZodIssue;

function describeIssue(issue: Issue): string[] {
  const where = formatPath(issue.path);
  const prefix = where === '' ? '' : `${where}: `;
  if (issue.code === 'unrecognized_keys') {
    const known = KNOWN_KEYS[issue.path.map((part) => (typeof part === 'number' ? '#' : String(part))).join('.')] ?? [];
    return issue.keys.map((key) => `${prefix}unknown key ${JSON.stringify(key)}${suggest(key, known)}`);
  }
  // A bad alias glob: the record reports the key, the key's schema says what is wrong with it.
  if (issue.code === 'invalid_key') return issue.issues.map((inner) => `${prefix}${inner.message}`);
  return [`${prefix}${issue.message}`];
}

/** `impact.0.reason`; a key that would read as several parts is quoted: `aliases."payments.internal"`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part) => {
      const name = String(part);
      return name === '' || /[.\s"]/.test(name) ? JSON.stringify(name) : name;
    })
    .join('.');
}

function suggest(key: string, known: readonly string[]): string {
  const close = known.find((candidate) => measureDistance(key.toLowerCase(), candidate) <= Math.min(2, candidate.length - 1));
  if (close !== undefined) return ` (did you mean ${JSON.stringify(close)}?)`;
  return known.length > 0 ? ` (known keys: ${known.join(', ')})` : '';
}

/** Optimal string alignment distance: a swap of two neighbours counts once (`form` -> `from`). */
function measureDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
