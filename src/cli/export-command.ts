/**
 * `rollgraph export --input FILE... --format dot|json|mermaid [--out FILE]`: derives the graph
 * from trace files and writes it in a format for review (DOT, Mermaid) or for machines (JSON),
 * every edge tagged with its rollback impact and every service with its rollback profile.
 */
import { extname } from 'node:path';
import { type Command, Option } from 'commander';
import { EXIT_OK } from '../errors.js';
import type { GraphView } from '../model.js';
import { renderDot } from '../report/render-dot.js';
import { renderJson } from '../report/render-json.js';
import { renderMermaid, renderMermaidMarkdown } from '../report/render-mermaid.js';
import type { CliIo } from './io.js';
import { addInputOptions, readGraph } from './read-graph.js';
import { IMAGE_FORMATS, checkImageDestination, isImageFormat, renderImage } from './export-image.js';
import { writeOutput } from './write-output.js';

const FORMATS = ['dot', 'json', 'mermaid', 'html', ...IMAGE_FORMATS] as const;
type Format = (typeof FORMATS)[number];

interface ExportOptions {
  readonly format: Format;
  readonly out?: string;
}

export function registerExport(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  const command = program
    .command('export')
    .summary('write the dependency graph: DOT, HTML report, SVG, PNG, JSON or Mermaid')
    .description(
      'Derives the dependency graph from the store (or from trace files with --input) and writes it: DOT for ' +
        'Graphviz and review, HTML for an interactive report with every service\u2019s revert plan, SVG and PNG ' +
        'drawn by the packaged Graphviz, JSON for machines, Mermaid for pull requests. Every edge carries its rollback impact ' +
        '(independent, coordinated, data-migration) and every service its rollback profile. All inputs ' +
        'are one ingest: a parent span in one file pairs with its child in another. A summary of what was ' +
        'read goes to stderr.',
    );
  addInputOptions(command)
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('dot'))
    .addOption(new Option('-o, --out <file>', 'write to FILE instead of stdout (Mermaid in a .md file is fenced for Markdown)'))
    .addHelpText(
      'after',
      `
Examples:
  $ rollgraph export --format html --out report.html
  $ rollgraph export --input traces.jsonl --format dot --out graph.dot
  $ rollgraph export --input exports/ --format json | jq '.edges[] | select(.impact == "coordinated")'
  $ rollgraph --env production export --input 'exports/*.jsonl.gz' --format mermaid --out graph.md
  $ rollgraph export --format png --out graph.png      # drawn by the packaged Graphviz, no install needed`,
    )
    .action(async (options: ExportOptions, cmd: Command) => {
      if (isImageFormat(options.format)) checkImageDestination(options.format, options.out, io);
      const read = await readGraph(cmd, io);
      if (isImageFormat(options.format)) {
        // SVG and PNG draw the DOT, so they show what it shows: edges, no rollback profiles.
        writeOutput(await renderImage(read.edgeView, options.format, io, (line) => io.stderr.write(`${line}\n`)), options.out, io);
        setExitCode(EXIT_OK);
        return;
      }
      if (options.format === 'html') {
        // The page's side panel shows each service's rollback profile and revert plan.
        const { renderHtmlExport } = await import('./export-html.js'); // the viewer's bundle loads only here
        writeOutput(renderHtmlExport(read), options.out, io);
        setExitCode(EXIT_OK);
        return;
      }
      // Rollback profiles are part of the JSON only; DOT and Mermaid draw edges.
      writeOutput(render(options.format === 'json' ? read.view : read.edgeView, options.format, options.out), options.out, io);
      setExitCode(EXIT_OK);
    });
}

function render(view: GraphView, format: Exclude<Format, (typeof IMAGE_FORMATS)[number] | 'html'>, out: string | undefined): string {
  switch (format) {
    case 'dot':
      return renderDot(view);
    case 'json':
      return renderJson(view);
    case 'mermaid':
      return out !== undefined && ['.md', '.markdown'].includes(extname(out).toLowerCase()) ? renderMermaidMarkdown(view) : renderMermaid(view);
  }
}
