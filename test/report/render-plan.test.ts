import { describe, expect, it } from 'vitest';
import type { PlanView } from '../../src/model.js';
import { renderPlanMarkdown } from '../../src/report/render-plan-markdown.js';
import { renderPlanText } from '../../src/report/render-plan-text.js';
import { expectGolden } from '../helpers/golden.js';
import { splitCodeSpans, unescapedSyntax } from '../helpers/markdown.js';
import {
  BACKTICK_VERSION,
  IMG_TAG,
  MARKDOWN_NAME,
  PIPE_OPERATION,
  PIPE_VERSION,
  TTY_NAME,
  cyclePlan,
  hostilePlan,
  minimalPlan,
  namedPlans,
  shopPlan,
} from './sample-plans.js';

/** Control characters a terminal would obey, and bidirectional controls; `\n` is allowed. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** `  3. revert      checkout ...`: the step number and kind of each step heading. */
const TEXT_STEP = /^ {2,3}(\d+)\. (snapshot|dampen|revert|verify|resume|compensate) /gm;
/** `- [ ] **3. Revert, wave 1 of 2** (reversible): ...`: a top-level checkbox per step. */
const MARKDOWN_STEP = /^- \[ \] \*\*(\d+)\. (Snapshot|Dampen|Revert|Verify|Resume|Compensate)[*,]/gm;

function stepsOf(text: string, pattern: RegExp): [number, string][] {
  return [...text.matchAll(pattern)].map((match) => [Number(match[1]), (match[2] ?? '').toLowerCase()]);
}

function expectedSteps(plan: PlanView): [number, string][] {
  return plan.steps.map((step, index) => [index + 1, step.kind]);
}

// ---------------------------------------------------------------------------------------------

describe('renderPlanText', () => {
  describe.each(namedPlans)('$name plan', ({ name, plan }) => {
    const text = renderPlanText(plan);

    it('matches its golden file', () => {
      expectGolden(text, `plan-${name}.txt`);
    });

    it('is deterministic and ends in a newline', () => {
      expect(text.endsWith('\n')).toBe(true);
      expect(renderPlanText(plan)).toBe(text);
    });

    it('prints every step once, numbered, in the plan order', () => {
      expect(stepsOf(text, TEXT_STEP)).toEqual(expectedSteps(plan));
    });

    it('marks every step reversible or irreversible', () => {
      const marks = [...text.matchAll(/\((reversible|IRREVERSIBLE)[,)]/g)].map((match) => match[1]);
      expect(marks).toEqual(plan.steps.map((step) => (step.reversible ? 'reversible' : 'IRREVERSIBLE')));
    });

    it('holds no control character but the line break', () => {
      expect(text).not.toMatch(CONTROL);
    });
  });

  it('lists the revert set with versions, and each added service with the call that forces it', () => {
    const text = renderPlanText(shopPlan);
    expect(text).toContain('rollback plan for inventory\n');
    expect(text).toMatch(
      /^ {2}\+ checkout 2\.4\.0 -> 2\.3\.1 +because checkout -> inventory uses POST \/inventory\/reserve$/m,
    );
    expect(text).toMatch(/^ {4}inventory 1\.9\.0 -> 1\.8\.2 +target$/m);
    expect(text).toContain('order (callers first): 1. checkout  2. inventory\n');
  });

  it('gives the precondition and the verification of each revert step, and its evidence', () => {
    const text = renderPlanText(shopPlan);
    for (const step of shopPlan.steps.filter((s) => s.kind === 'revert')) {
      // Wrapped at 100 columns: compare words, not line breaks.
      const flat = text.replace(/\n +/g, ' ');
      expect(flat).toContain(`before: ${step.precondition ?? ''}`);
      expect(flat).toContain(`verify: ${step.verification ?? ''}`);
    }
    expect(text).toContain('     evidence:\n       - checkout -> inventory: POST /inventory/reserve');
  });

  it('keeps lines within 100 columns when no single word is longer', () => {
    for (const plan of [shopPlan, cyclePlan, minimalPlan]) {
      for (const line of renderPlanText(plan).split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    }
  });

  it('calls out a cycle once, and reverts the group as one wave', () => {
    const text = renderPlanText(cyclePlan);
    const warning = 'no safe sequential order: revert accounts and profiles together (they call each other)';
    expect(text.split(warning)).toHaveLength(2);
    expect(text).toContain(`warnings:\n  ! ${warning}\n  ! the traces cover`);
    expect(text).toMatch(/3\. revert +accounts, profiles +\(reversible, wave 2 of 2, all at once/);
    expect(text).toContain('1. web-frontend  2. accounts, profiles (together)');
  });

  it('tells a cycle apart from the rest of its wave', () => {
    const plan: PlanView = {
      ...cyclePlan,
      waves: [['accounts', 'profiles', 'web-frontend']],
      steps: [
        { kind: 'revert', services: ['accounts', 'profiles', 'web-frontend'], reversible: true, text: 'Revert', evidence: [] },
      ],
    };
    const text = renderPlanText(plan);
    expect(text).toContain('1. accounts, profiles, web-frontend (accounts and profiles together)');
    expect(text.replace(/\n +/g, ' ')).toContain(
      '(reversible, wave 1 of 1, accounts and profiles at once: they call each other)',
    );
    expect(renderPlanMarkdown(plan)).toContain('  - **All at once:** `accounts` and `profiles` call each other');
  });

  it('shows names from traces without their control characters', () => {
    const text = renderPlanText(hostilePlan);
    expect(text).toContain('tty\\x1B[2J\\x1B[31mred\\x0Anew line\\u202Eexe.txt (version unknown) -> 0.1.0');
    expect(text).toContain(`${IMG_TAG} ${PIPE_VERSION} -> ${BACKTICK_VERSION}`);
    expect(text).toContain(`${MARKDOWN_NAME} 2.0.0 -> (no previous version)`);
  });

  it('says when there is nothing to do', () => {
    const empty: PlanView = { ...minimalPlan, targets: [], revertSet: [], waves: [], steps: [], versions: {} };
    expect(renderPlanText(empty)).toBe(
      'rollback plan for (none)\nrevert set: 0 services, 0 waves, 0 steps\n\nsteps: none (nothing to revert)\n',
    );
  });
});

// ---------------------------------------------------------------------------------------------

/** The text around code spans, less the markup the reporter itself writes. */
function strayMarkup(markdown: string): string[] {
  return markdown.split('\n').flatMap((line) => {
    const { text } = splitCodeSpans(line);
    const own = text
      .replace(/^> \[!WARNING\]$/, '')
      .replace(/^( *)- \[ \] /, '$1')
      .replace(/\*\*[\w ,.:'-]+\*\*/g, '')
      .replace(/\*\((empty)\)\*|\*[a-z ]+\*/g, '')
      .replace(/^\| | \| | \|$/g, ' ')
      .replace(/^\| --- \| --- \| --- \| --- \|$/, '');
    return unescapedSyntax(own).map((char) => `${char} in: ${line}`);
  });
}

describe('renderPlanMarkdown', () => {
  describe.each(namedPlans)('$name plan', ({ name, plan }) => {
    const markdown = renderPlanMarkdown(plan);

    it('matches its golden file', () => {
      expectGolden(markdown, `plan-${name}.md`);
    });

    it('is deterministic and ends in a newline', () => {
      expect(markdown.endsWith('\n')).toBe(true);
      expect(renderPlanMarkdown(plan)).toBe(markdown);
    });

    it('has one checkbox per step, in the plan order', () => {
      expect(stepsOf(markdown, MARKDOWN_STEP)).toEqual(expectedSteps(plan));
      expect(markdown.match(/^- /gm)).toHaveLength(plan.steps.length);
    });

    it('has one nested checkbox per service of each revert step', () => {
      const reverts = markdown.split(/^(?=- \[ \] )/m).filter((block) => /^- \[ \] \*\*\d+\. Revert/.test(block));
      const services = plan.steps.filter((step) => step.kind === 'revert').map((step) => step.services.length);
      expect(reverts.map((block) => block.match(/^ {2}- \[ \] /gm)?.length ?? 0)).toEqual(services);
      expect(markdown.match(/^ {2}- \[ \] /gm)?.length ?? 0).toBe(services.reduce((a, b) => a + b, 0));
    });

    it('marks irreversible steps', () => {
      const marks = [...markdown.matchAll(/^- \[ \] \*\*[^*]+\*\* \((reversible|\*\*irreversible\*\*)\)/gm)];
      expect(marks.map((m) => m[1] === 'reversible')).toEqual(plan.steps.map((step) => step.reversible));
    });

    it('has one table row per service of the revert set, four cells each', () => {
      const rows = markdown.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| ---'));
      expect(rows).toHaveLength(plan.revertSet.length + 1);
      for (const row of rows) expect(row.match(/(?<!\\)\|/g)).toHaveLength(5);
    });

    it('writes no Markdown but its own: names are code, sentences escaped', () => {
      expect(strayMarkup(markdown)).toEqual([]);
      expect(markdown).not.toMatch(CONTROL);
      expect(markdown.match(/^#/gm)).toEqual(['#', '#']);
    });
  });

  it('summarises the revert set in a table', () => {
    const markdown = renderPlanMarkdown(shopPlan);
    expect(markdown).toContain(
      '| `checkout` | `2.4.0` | `2.3.1` | added: `checkout` → `inventory` uses `POST /inventory/reserve` |\n' +
        '| `inventory` | `1.9.0` | `1.8.2` | target |\n',
    );
  });

  it('puts cycles and added services in a warning callout, a cycle once', () => {
    const markdown = renderPlanMarkdown(cyclePlan);
    expect(markdown).toContain('> [!WARNING]\n> **No safe sequential order.**');
    expect(markdown).toContain('> - revert `accounts` and `profiles` together\n');
    expect(markdown).toContain('> - `web-frontend`: web-frontend 5.1.0 calls POST /accounts/sessions');
    expect(markdown).toContain('  - **All at once:**');
    expect(renderPlanMarkdown(minimalPlan)).not.toContain('[!WARNING]');
  });

  it('keeps every hostile name whole, inside code spans', () => {
    const markdown = renderPlanMarkdown(hostilePlan);
    const code = markdown.split('\n').flatMap((line) => {
      const spans = splitCodeSpans(line).code;
      return line.startsWith('| ') ? spans.map((span) => span.replace(/\\\|/g, '|')) : spans;
    });
    const shownTty = 'tty\\x1B[2J\\x1B[31mred\\x0Anew line\\u202Eexe.txt';
    for (const name of [IMG_TAG, MARKDOWN_NAME, shownTty, PIPE_OPERATION, PIPE_VERSION, BACKTICK_VERSION]) {
      expect(code, name).toContain(name);
    }
    // The table cell of the operation: pipes escaped even inside the code span.
    expect(markdown).toContain('uses ``` GET /a\\|b `rm -rf /` ``x`` ``` |');
  });

  it('escapes sentences: no HTML, no mention, no issue reference, no block started', () => {
    const markdown = renderPlanMarkdown(hostilePlan);
    const text = markdown.split('\n').map((line) => splitCodeSpans(line).text).join('\n');
    expect(text).not.toContain('<');
    expect(text).toContain('&lt;img src=x onerror=alert(1)>');
    expect(text).toContain('&lt;script>alert(2)&lt;/script> \\*\\*and\\*\\* \\`code\\`');
    expect(text).not.toMatch(/@\w/);
    expect(text).toContain('@&#8288;oncall-team #&#8288;12');
    expect(text).toContain('&amp;amp;');
    expect(markdown).toContain('    - \\- not a nested list\n    - 1\\. not a numbered list\n');
    expect(markdown).toContain('    - \\# not a heading\n    - \\> not a quote\n');
    expect(markdown).toContain('  - **Before:** four spaces would make a code block\n');
    expect(markdown).toContain('would break the line \\\\\n');
  });
});
