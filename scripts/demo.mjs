#!/usr/bin/env node
// The demo behind `npm run demo`: runs rollgraph over the bundled traces of a small online shop
// (fixtures/demo/, two days of OTLP JSON Lines, one file gzip'd) exactly as a user would, showing
// each command before running it: the graph with every edge's rollback impact, then what rolling
// inventory back involves, and the coordinated revert plan. Outputs go to out/demo/.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'out', 'demo');
mkdirSync(out, { recursive: true });
const show = (path) => relative(root, path);

function run(args) {
  process.stdout.write(`\n$ rollgraph ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [join(root, 'bin', 'rollgraph.js'), ...args], { cwd: root, encoding: 'utf8' });
  process.stdout.write(r.stderr);
  process.stdout.write(r.stdout);
  if (r.status !== 0) {
    process.stderr.write(`demo: rollgraph exited ${r.status}\n`);
    process.exit(r.status ?? 2);
  }
}

const inputs = ['fixtures/demo/day1', 'fixtures/demo/day2'];
process.stdout.write('rollgraph demo: two days of traces from a small online shop (see fixtures/demo/README.md)\n');

run(['export', '--input', ...inputs, '--format', 'dot', '--out', show(join(out, 'graph.dot'))]);
run(['export', '--input', ...inputs, '--format', 'json', '--out', show(join(out, 'graph.json'))]);
run(['export', '--input', ...inputs, '--format', 'mermaid', '--out', show(join(out, 'graph.md'))]);
run(['impact', 'inventory', '--input', ...inputs]);
run(['plan', 'inventory', '--input', ...inputs, '--format', 'markdown', '--out', show(join(out, 'rollback-inventory.md'))]);
run(['plan', 'inventory', '--input', ...inputs]);

const dot = spawnSync('dot', ['-Tsvg', join(out, 'graph.dot'), '-o', join(out, 'graph.svg')], { encoding: 'utf8' });
const svg = dot.status === 0 ? `\n  ${show(join(out, 'graph.svg'))}               the same, rendered by Graphviz` : '';

process.stdout.write(
  `\nWritten:` +
    `\n  ${show(join(out, 'graph.dot'))}               Graphviz DOT, edges coloured by rollback impact${svg}` +
    `\n  ${show(join(out, 'graph.json'))}              nodes, edges, impacts with their evidence, rollback profiles` +
    `\n  ${show(join(out, 'graph.md'))}                the Mermaid diagram, ready for a pull request` +
    `\n  ${show(join(out, 'rollback-inventory.md'))}   the plan above as a runbook to tick off\n`,
);
