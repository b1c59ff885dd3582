/**
 * `rollgraph export --input FILE... --format dot|json|mermaid [--out FILE]`: derives the graph
 * from trace files and writes it in a format for review (DOT, Mermaid) or for machines (JSON).
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { EXIT_OK, InputError, UsageError } from '../errors.js';
import { deriveGraph } from '../derive-graph.js';
import { DEFAULT_MAX_OPEN_SPANS } from '../derive/trace-window.js';
import type { GraphView } from '../model.js';
import { renderDot } from '../report/render-dot.js';
import { renderJson } from '../report/render-json.js';
import { renderMermaid, renderMermaidMarkdown } from '../report/render-mermaid.js';
import { renderSummary } from '../report/render-summary.js';
import { expandInputs } from './expand-inputs.js';
import type { CliIo } from './io.js';
import type { GlobalOptions } from './global-options.js';

const FORMATS = ['dot', 'json', 'mermaid'] as const;
type Format = (typeof FORMATS)[number];

interface ExportOptions {
  readonly input?: string[];
  readonly format: Format;
  readonly out?: string;
  readonly window: number;
}

export function registerExport(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('export')
    .summary('write the dependency graph as DOT, JSON or Mermaid')
    .description(
      'Derives the dependency graph from trace files and writes it: DOT for Graphviz and review, ' +
        'JSON for machines, Mermaid for pull requests. All inputs are one ingest: a parent span in one ' +
        'file pairs with its child in another. A summary of what was read goes to stderr.',
    )
    .addOption(
      new Option('-i, --input <path...>', 'trace files, directories, globs, or - for stdin (OTLP/JSON, JSON Lines, gzip)'),
    )
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('dot'))
    .addOption(new Option('-o, --out <file>', 'write to FILE instead of stdout (Mermaid in a .md file is fenced for Markdown)'))
    .addOption(
      new Option('--window <spans>', 'spans held open for pairing before the oldest traces are finalised')
        .default(DEFAULT_MAX_OPEN_SPANS)
        .argParser(parsePositiveInteger),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ rollgraph export --input traces.jsonl --format dot --out graph.dot && dot -Tsvg graph.dot > graph.svg
  $ rollgraph export --input exports/ --format json | jq '.edges[] | select(.errors > 0)'
  $ rollgraph --env production export --input 'exports/*.jsonl.gz' --format mermaid --out graph.md`,
    )
    .action(async (options: ExportOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions & ExportOptions>();
      if (options.input === undefined || options.input.length === 0) {
        throw new UsageError('export needs --input FILE... (trace files, directories, globs, or - for stdin)');
      }
      const inputs = expandInputs(options.input, io);
      const derivation = await deriveGraph(inputs, { environment: globals.env ?? null, maxOpenSpans: options.window });
      io.stderr.write(
        renderSummary({
          stats: derivation.stats,
          services: derivation.services,
          edges: derivation.view.edges.length,
          rejected: derivation.rejected,
          rejectedCount: derivation.rejectedCount,
          warnings: derivation.warnings,
        }),
      );
      if (derivation.unusable.length > 0) {
        throw new InputError(`nothing usable in ${derivation.unusable.join(', ')}: no span could be read (see the rejected records above)`);
      }
      const text = render(derivation.view, options.format, options.out);
      if (options.out === undefined) io.stdout.write(text);
      else writeAtomically(isAbsolute(options.out) ? options.out : resolve(io.cwd, options.out), text);
      setExitCode(EXIT_OK);
    });
}

function render(view: GraphView, format: Format, out: string | undefined): string {
  switch (format) {
    case 'dot':
      return renderDot(view);
    case 'json':
      return renderJson(view);
    case 'mermaid':
      return out !== undefined && ['.md', '.markdown'].includes(extname(out).toLowerCase()) ? renderMermaidMarkdown(view) : renderMermaid(view);
  }
}

function parsePositiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--window must be a positive whole number of spans, got ${JSON.stringify(value)}`);
  return n;
}

/** Writes through a temporary file and a rename, so a failed run never leaves half a file. */
function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write ${path} (${code ?? (error as Error).message}); does ${dirname(path)} exist?`);
  }
}
