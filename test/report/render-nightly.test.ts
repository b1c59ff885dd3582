import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { NewEdgeView, NightlyView } from '../../src/model.js';
import { renderMermaidMarkdown } from '../../src/report/render-mermaid.js';
import { renderNightlyMarkdown } from '../../src/report/render-nightly-markdown.js';
import { acceptCommand, renderNightlyText, shellWord } from '../../src/report/render-nightly-text.js';
import { expectGolden } from '../helpers/golden.js';
import { proseLines, splitCodeSpans, unescapedSyntax } from '../helpers/markdown.js';
import { IMG_TAG, MARKDOWN_NAME, PIPE_OPERATION, TTY_NAME } from './sample-plans.js';
import {
  HOSTILE_FILE,
  PIPE_FILE,
  SHELL_NAME,
  comparedNeighbours,
  comparedNightly,
  establishedNightly,
  hostileNightly,
  namedNightlies,
  nothingNewNightly,
} from './sample-nightly.js';

/** Control characters a terminal would obey, and bidirectional controls; `\n` is allowed. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function markdownOf(entry: (typeof namedNightlies)[number]): string {
  return renderNightlyMarkdown(entry.view, entry.neighbours === undefined ? {} : { graphNeighbours: entry.neighbours });
}

/** The lines of `text` that start an entry with `marker`, continuation lines left out. */
function entries(text: string, marker: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(marker));
}

// ---------------------------------------------------------------------------------------------

describe('renderNightlyText', () => {
  describe.each(namedNightlies)('$name night', ({ name, view }) => {
    const text = renderNightlyText(view);

    it('matches its golden file', () => {
      expectGolden(text, `nightly-${name}.txt`);
    });

    it('is deterministic and ends in a newline', () => {
      expect(text.endsWith('\n')).toBe(true);
      expect(renderNightlyText(view)).toBe(text);
    });

    it('starts with one verdict line', () => {
      expect(text).toMatch(new RegExp(`^nightly run ${view.run.id}: `));
    });

    it('has one entry per new edge, impact change and gone edge', () => {
      expect(entries(text, '+ ')).toHaveLength(view.newEdges.length);
      expect(entries(text, '! ')).toHaveLength(view.impactChanges.length);
      expect(entries(text, '- ')).toHaveLength(view.goneEdges.length);
    });

    it('holds no control character but the line break', () => {
      expect(text).not.toMatch(CONTROL);
    });
  });

  it('says when the baseline was established, with how many edges', () => {
    expect(renderNightlyText(establishedNightly)).toBe(
      'nightly run 1: baseline established with 16 edges (1,269 spans); nothing flagged\n',
    );
  });

  it('says when nothing is new, and which inputs it skipped', () => {
    expect(renderNightlyText(nothingNewNightly)).toBe(
      'nightly run 3: nothing new (1,377 spans, 18 edges; baseline 18 edges)\n' +
        'skipped 1 input already in the store: exports/2026-11-29/traces.jsonl\n',
    );
  });

  it('gives the verdict, then each new edge, impact change and gone edge on its own line', () => {
    const text = renderNightlyText(comparedNightly);
    const flat = text.replace(/\n {4}/g, ' ');
    expect(text).toMatch(/^nightly run 2: 2 new edges, 1 impact change, 1 gone edge \(1,377 spans, 18 edges; baseline 17 edges\)\n/);
    expect(flat).toContain(
      '\n+ checkout -> fraud-check  sync, coordinated (assumed), 96 calls, 2 errors, first seen ' +
        '2026-11-29T10:00:12Z, introduced by checkout 2.6.0\n',
    );
    expect(flat).toContain('\n+ fraud-check -> postgresql:fraud  database, independent (observed), 96 calls, first seen');
    expect(flat).toContain(
      '\n! catalog -> postgresql:catalog  independent -> data-migration (stricter): catalog writes to postgresql:catalog',
    );
    expect(flat).toContain(
      '\n- order-worker -> legacy-billing  sync, coordinated, last seen 2026-11-19T16:42:07Z (10 days before the newest span)\n',
    );
    expect(flat).toContain(
      'skipped 2 inputs already in the store: exports/2026-11-28/traces-frontend.jsonl.gz, exports/2026-11-28/traces.jsonl\n',
    );
    expect(text.endsWith(
      'to accept all:  rollgraph accept --all --note "..."\n' +
        `or one by one:  rollgraph accept 'checkout->fraud-check' --note "..."\n`,
    )).toBe(true);
  });

  it('keeps lines within 100 columns when no single word is longer', () => {
    for (const view of [establishedNightly, comparedNightly, nothingNewNightly]) {
      for (const line of renderNightlyText(view).split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    }
  });

  it('shows names from traces without their control characters', () => {
    const text = renderNightlyText(hostileNightly);
    expect(text).toContain('tty\\x1B[2J\\x1B[31mred\\x0Anew line\\u202Eexe.txt -> ');
    expect(text).toContain('skipped 2 inputs already in the store: exports/\\x1B[2Jevil\\x0A# heading.jsonl, a|b `c`.jsonl');
    expect(text).toContain('introduced by it\'s $(rm -rf ~) `id` (version unknown)');
    expect(text).toContain('first seen unknown, introduced by');
    expect(text).toContain(`or one by one:  rollgraph accept 'it'\\''s $(rm -rf ~) \`id\`-><img src=x onerror=alert(1)>' --note "..."\n`);
  });

  it('does not list anything for the run that establishes the baseline', () => {
    const view: NightlyView = { ...establishedNightly, skipped: ['exports/day1.jsonl'] };
    expect(renderNightlyText(view)).toBe(
      'nightly run 1: baseline established with 16 edges (1,269 spans); nothing flagged\n' +
        'skipped 1 input already in the store: exports/day1.jsonl\n',
    );
  });
});

// ---------------------------------------------------------------------------------------------

/** The text around code spans, less the markup the reporter itself writes. */
function strayMarkup(markdown: string): string[] {
  return proseLines(markdown).flatMap((line) => {
    const { text } = splitCodeSpans(line);
    const own = text
      .replace(/^#{1,3} /, '')
      .replace(/^ *- /, '')
      .replace(/\*\*[\w ,.:'-]+\*\*/g, '')
      .replace(/\*\((empty)\)\*/g, '')
      .replace(/^\| | \| | \|$/g, ' ')
      .replace(/^(\| --- )+\|$/, '');
    return unescapedSyntax(own).map((char) => `${char} in: ${line}`);
  });
}

/** Each table as its rows (header and separator included), each row as its count of cell-ending pipes. */
function tables(markdown: string): { line: string; pipes: number }[][] {
  const found: { line: string; pipes: number }[][] = [];
  let current: { line: string; pipes: number }[] = [];
  for (const line of [...proseLines(markdown), '']) {
    if (line.startsWith('| ')) {
      current.push({ line, pipes: line.match(/(?<!\\)\|/g)?.length ?? 0 });
    } else if (current.length > 0) {
      found.push(current);
      current = [];
    }
  }
  return found;
}

/** The shell commands in the report's fenced `sh` blocks. */
function acceptLines(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
  return blocks.flatMap((block) => block.split('\n')).filter((line) => line.startsWith('rollgraph '));
}

/** What bash makes of `word`, as bytes, or null when no bash is installed. */
function bashWord(word: string): Buffer | null {
  const result = spawnSync('bash', ['-c', `printf '%s' ${word}`], { env: { LC_ALL: 'C.UTF-8' } });
  return result.error === undefined && result.status === 0 ? result.stdout : null;
}
const hasBash = spawnSync('bash', ['-c', 'true']).status === 0;

describe('renderNightlyMarkdown', () => {
  describe.each(namedNightlies)('$name night', (entry) => {
    const markdown = markdownOf(entry);
    const view = entry.view;

    it('matches its golden file', () => {
      expectGolden(markdown, `nightly-${entry.name}.md`);
    });

    it('is deterministic and ends in a newline', () => {
      expect(markdown.endsWith('\n')).toBe(true);
      expect(markdownOf(entry)).toBe(markdown);
    });

    it('has one title and one section heading per new edge', () => {
      const prose = proseLines(markdown).join('\n');
      expect(markdown).toMatch(/^# rollgraph nightly: /);
      expect(prose.match(/^# /gm)).toHaveLength(1);
      expect(prose.match(/^### /gm) ?? []).toHaveLength(view.newEdges.length);
    });

    it('writes no Markdown but its own: names are code, sentences escaped', () => {
      expect(strayMarkup(markdown)).toEqual([]);
      expect(markdown).not.toMatch(CONTROL);
    });

    it('keeps every table row to the cells of its header', () => {
      for (const table of tables(markdown)) {
        const header = table[0]?.pipes ?? 0;
        for (const { line, pipes } of table) expect(pipes, line).toBe(header);
      }
    });

    it('gives one accept command per new edge and impact change, then one for all', () => {
      const commands = acceptLines(markdown);
      const flagged = view.baseline === 'established' ? 0 : view.newEdges.length + view.impactChanges.length;
      expect(commands).toHaveLength(flagged === 0 ? 0 : flagged + 1);
      if (flagged > 0) expect(commands.at(-1)).toBe('rollgraph accept --all --note "..."');
    });
  });

  it('says the baseline was established with how many edges, and that nothing is flagged', () => {
    const markdown = renderNightlyMarkdown(establishedNightly);
    expect(markdown).toBe(
      '# rollgraph nightly: baseline established\n\n' +
        'Run 1 read 1,269 spans and established the baseline with 16 edges. Nothing is flagged: from the ' +
        'next run on, new edges, impact changes and gone edges are reported against this baseline.\n',
    );
  });

  it('says when nothing is new', () => {
    const markdown = renderNightlyMarkdown(nothingNewNightly);
    expect(markdown).toContain('# rollgraph nightly: nothing new\n');
    expect(markdown).toContain('\nNothing is flagged: no new edge, no impact change, no gone edge.\n');
    expect(markdown).toContain('Skipped 1 input already in the store: `exports/2026-11-29/traces.jsonl`.\n');
    expect(markdown).not.toContain('## ');
  });

  it('puts the counts in the title and every flagged edge in the overview table', () => {
    const markdown = renderNightlyMarkdown(comparedNightly);
    expect(markdown).toMatch(/^# rollgraph nightly: 2 new edges, 1 impact change, 1 gone edge\n/);
    expect(markdown).toContain(
      '| Change | Edge | Impact |\n| --- | --- | --- |\n' +
        '| new | `checkout` → `fraud-check` | coordinated (assumed) |\n' +
        '| new | `fraud-check` → `postgresql:fraud` | independent (observed) |\n' +
        '| impact | `catalog` → `postgresql:catalog` | independent → **data-migration** (stricter) |\n' +
        '| gone | `order-worker` → `legacy-billing` | coordinated |\n',
    );
  });

  it('gives the evidence of each new edge', () => {
    const markdown = renderNightlyMarkdown(comparedNightly);
    expect(markdown).toContain(
      '### `checkout` → `fraud-check`\n\n' +
        '- **Impact:** coordinated (assumed): fraud-check has a single version (1.0.0) in the traces: no proof ' +
        'that checkout works with an older fraud-check\n' +
        '- **Introduced by:** `checkout` `2.6.0`\n' +
        '- **First seen:** 2026-11-29T10:00:12Z; last seen 2026-11-29T23:58:40Z\n' +
        '- **Type:** sync\n' +
        '- **Calls:** 96 calls, 2 errors\n' +
        '- **Environments:** `production`\n' +
        '- **Operations:**\n' +
        '  - `POST /v1/score` (96 calls): served by `fraud-check` `1.0.0`; used by `checkout` `2.6.0`\n' +
        '- **Sample traces:** `5b8efff798038103d269b633813fc60c`, `8a3c60f7d188f8fa79d48a391a778fa6`, ' +
        '`c2f7a1d9e0b34b6f9a1e2d3c4b5a6978`\n',
    );
  });

  it('lists impact changes with was, now and why, and gone edges with when they were last seen', () => {
    const markdown = renderNightlyMarkdown(comparedNightly);
    expect(markdown).toContain(
      '| `catalog` → `postgresql:catalog` | independent | **data-migration** (stricter) | catalog writes to ' +
        'postgresql:catalog (UPDATE, 212 calls since 2026-11-29T08:30:04Z): its writes stay after a revert |\n',
    );
    expect(markdown).toContain('In the baseline, but not seen in the 7 days up to the newest span in the store (2026-11-29T23:59:48Z):');
    expect(markdown).toContain(
      '| `order-worker` → `legacy-billing` | sync | coordinated | 2026-11-19T16:42:07Z (10 days before the newest span) |\n',
    );
  });

  it('gives the accept commands, names quoted for the shell', () => {
    expect(acceptLines(renderNightlyMarkdown(comparedNightly))).toEqual([
      `rollgraph accept 'checkout->fraud-check' --note "..."`,
      `rollgraph accept 'fraud-check->postgresql:fraud' --note "..."`,
      `rollgraph accept 'catalog->postgresql:catalog' --note "..."`,
      'rollgraph accept --all --note "..."',
    ]);
  });

  it('draws the flagged edges and their neighbours only when asked, as the Mermaid reporter does', () => {
    const without = renderNightlyMarkdown(comparedNightly);
    const withChart = renderNightlyMarkdown(comparedNightly, { graphNeighbours: comparedNeighbours });
    expect(without).not.toContain('```mermaid');
    expect(withChart).toContain(`\n\n${renderMermaidMarkdown(comparedNeighbours)}\n## New edges (2)\n`);
    expect(withChart.replace(/\n## Where the flagged edges sit\n[\s\S]*?```\n(?=\n)/, '')).toBe(without);
    expect(renderNightlyMarkdown(comparedNightly, { graphNeighbours: { nodes: [], edges: [] } })).toBe(without);
  });

  it('lists at most five operations of an edge, then how many more', () => {
    const [first] = comparedNightly.newEdges;
    if (first === undefined) throw new Error('sample has no new edge');
    const operations = Array.from({ length: 7 }, (_, index) => ({
      name: `GET /v1/rule/${index}`,
      calls: 7 - index,
      calleeVersions: [],
      callerVersions: [],
    }));
    const edge: NewEdgeView = { ...first, operations };
    const markdown = renderNightlyMarkdown({ ...comparedNightly, newEdges: [edge] });
    expect(markdown.match(/^ {2}- `GET \/v1\/rule\/\d`/gm)).toHaveLength(5);
    expect(markdown).toContain('  - `GET /v1/rule/4` (3 calls)\n  - and 2 more\n');
  });

  it('keeps every hostile name whole, inside code spans', () => {
    const markdown = renderNightlyMarkdown(hostileNightly);
    const code = proseLines(markdown).flatMap((line) => {
      const spans = splitCodeSpans(line).code;
      return line.startsWith('| ') ? spans.map((span) => span.replace(/\\\|/g, '|')) : spans;
    });
    const shownTty = 'tty\\x1B[2J\\x1B[31mred\\x0Anew line\\u202Eexe.txt';
    for (const name of [IMG_TAG, MARKDOWN_NAME, SHELL_NAME, shownTty, PIPE_OPERATION, PIPE_FILE, 'exports/\\x1B[2Jevil\\x0A# heading.jsonl']) {
      expect(code, name).toContain(name);
    }
  });

  it('escapes sentences: no HTML, no mention, no issue reference, no block started', () => {
    const markdown = renderNightlyMarkdown(hostileNightly);
    const text = proseLines(markdown).map((line) => splitCodeSpans(line).text).join('\n');
    expect(text).not.toContain('<');
    expect(text).not.toMatch(/@\w/);
    expect(text).toContain('&lt;script>alert(2)&lt;/script> \\*\\*and\\*\\* \\`code\\` @&#8288;oncall-team #&#8288;12\\\\x0A# not a heading');
    expect(text).toContain('In the baseline, but with no call in the history read:');
    expect(proseLines(markdown).join('\n').match(/^#+ /gm)).toEqual(['# ', '## ', '### ', '### ', '## ', '## ', '## ']);
  });

  it.skipIf(!hasBash)('writes accept commands that bash reads back as the exact edge', () => {
    const commands = acceptLines(renderNightlyMarkdown(hostileNightly));
    const edges = [...hostileNightly.newEdges, ...hostileNightly.impactChanges];
    expect(commands).toHaveLength(edges.length + 1);
    edges.forEach((edge, index) => {
      const word = commands[index]?.replace(/^rollgraph accept /, '').replace(/ --note "\.\.\."$/, '') ?? '';
      expect(bashWord(word)?.toString('utf8'), word).toBe(`${edge.from}->${edge.to}`);
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('shellWord', () => {
  it('quotes every edge argument, since `>` would redirect', () => {
    expect(acceptCommand('checkout', 'fraud-check')).toBe(`rollgraph accept 'checkout->fraud-check'`);
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
  });

  it('writes control characters as escapes bash turns back into them', () => {
    expect(shellWord(TTY_NAME)).toBe(`$'tty\\x1B[2J\\x1B[31mred\\x0Anew line\\u202Eexe.txt'`);
    expect(shellWord("a'\\\u0085b")).toBe(`$'a\\'\\\\\\u0085b'`);
  });

  it.skipIf(!hasBash)('round-trips through bash', () => {
    for (const name of [TTY_NAME, SHELL_NAME, MARKDOWN_NAME, IMG_TAG, HOSTILE_FILE, "a'\\\u0085b\u007f", '', '~ $HOME *']) {
      expect(bashWord(shellWord(name))?.toString('utf8'), JSON.stringify(name)).toBe(name);
    }
  });
});
