/**
 * Finds and reads the config file: `--config FILE`, else `rollgraph.config.json`, `.yaml` or
 * `.yml` in the working directory when present. Every problem is reported, one per line, as
 * `file: a.b.c: message`, and the command does not run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { DeriveOptions } from '../derive-graph.js';
import { compileConfig } from '../config/compile-config.js';
import type { CliIo } from './io.js';

export const CONFIG_NAMES = ['rollgraph.config.json', 'rollgraph.config.yaml', 'rollgraph.config.yml'] as const;

export interface LoadedConfig {
  readonly file: string;
  readonly deriveOptions: Pick<DeriveOptions, 'aliasOf' | 'isIgnored' | 'override' | 'limits'>;
}

/** The config, or null without one; its parser (zod, yaml) is loaded only when a file is there. */
export async function loadConfig(explicit: string | undefined, io: CliIo): Promise<LoadedConfig | null> {
  let file: string;
  if (explicit !== undefined) {
    file = explicit;
    if (!existsSync(resolve(io.cwd, file))) throw new UsageError(`${file}: no such config file`);
  } else {
    const present = CONFIG_NAMES.filter((name) => existsSync(resolve(io.cwd, name)));
    if (present.length === 0) return null;
    if (present.length > 1) throw new UsageError(`${present.join(' and ')} both exist: keep one config file`);
    file = present[0]!;
  }
  const { formatOf, parseConfig } = await import('../config/parse-config.js');
  const format = formatOf(file);
  if (format === null) throw new UsageError(`${file}: a config file ends in .json, .yaml or .yml`);
  let text: string;
  try {
    text = readFileSync(isAbsolute(file) ? file : resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const parsed = parseConfig(text, format);
  if ('problems' in parsed) {
    // `file:3:5: message` for a syntax error, `file: impact.0.reason: message` for the rest.
    throw new UsageError(parsed.problems.map((p) => (/^\d+:\d+: /.test(p) ? `${file}:${p}` : `${file}: ${p}`)).join('\n'));
  }
  const compiled = compileConfig(parsed.config);
  return {
    file,
    deriveOptions: {
      aliasOf: parsed.config.aliases.length > 0 ? compiled.aliasOf : undefined,
      isIgnored: parsed.config.ignore.length > 0 ? compiled.isIgnored : undefined,
      limits: compiled.limits,
      override:
        parsed.config.impact.length > 0
          ? (edge) => {
              const match = compiled.impactRuleFor(edge);
              if (match === null) return null;
              const { rule, index } = match;
              return { impact: rule.impact, confidence: rule.confidence, reason: `${rule.reason} (${file}: impact.${index})` };
            }
          : undefined,
    },
  };
}
