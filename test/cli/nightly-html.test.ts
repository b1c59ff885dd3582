/**
 * `nightly --html FILE`: the interactive report of the store's graph with the night's new edges
 * highlighted, linked from the Markdown report.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const DAY1 = join(ROOT, 'fixtures/demo/day1');
const DAY2 = join(ROOT, 'fixtures/demo/day2');

/** The report's embedded data (the page reads it from a JSON script element). */
function reportData(html: string): { newEdgeCount: number; nodes: { id: string }[]; edges: { from: number; to: number; isNew: boolean }[] } {
  const m = /<script type="application\/json"[^>]*>([\s\S]*?)<\/script>/.exec(html);
  if (m === null) throw new Error('no embedded data');
  return JSON.parse(m[1]!) as ReturnType<typeof reportData>;
}

describe('nightly --html', () => {
  it('writes the report with the new edges highlighted, and the Markdown report links it', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'reports/html'), { recursive: true });
    expect((await runCli(['--db', 'r.db', 'nightly', DAY1], { cwd: dir })).code).toBe(0);
    const night2 = await runCli(['--db', 'r.db', 'nightly', DAY2, '--report', 'reports/nightly.md', '--html', 'reports/html/graph.html'], { cwd: dir });
    expect(night2.code).toBe(1); // the demo's second night flags new edges
    const data = reportData(readFileSync(join(dir, 'reports/html/graph.html'), 'utf8'));
    expect(data.newEdgeCount).toBe(2);
    expect(data.edges.filter((e) => e.isNew).map((e) => `${data.nodes[e.from]!.id}->${data.nodes[e.to]!.id}`).sort()).toEqual(['checkout->fraud-check', 'fraud-check->postgresql:fraud']);
    const markdown = readFileSync(join(dir, 'reports/nightly.md'), 'utf8');
    expect(markdown).toContain('[html/graph.html](html/graph.html)');
  });

  it('refuses a name that is not .html before reading anything, and leaves no file', async () => {
    const dir = tempDir();
    const r = await runCli(['--db', 'r.db', 'nightly', DAY1, '--html', 'graph.md'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--html writes an HTML page: name the file .html (got graph.md)');
    expect(existsSync(join(dir, 'r.db'))).toBe(false);
  });
});
