import { describe, expect, it } from 'vitest';
import type { ImpactView } from '../../src/model.js';
import { renderImpactText } from '../../src/report/render-impact-text.js';
import { expectGolden } from '../helpers/golden.js';
import { IMG_TAG, firstVersionImpact, hostileImpact, namedImpacts, shopImpact } from './sample-plans.js';

const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const SECTIONS = [
  'must revert with it',
  'writes to compensate, not revert',
  'third parties with side effects',
  'unaffected',
  'plan:',
];

/** The lines of one section: from its heading to the next blank line. */
function section(text: string, heading: string): string {
  const start = text.indexOf(`\n${heading}`);
  if (start < 0) return '';
  const end = text.indexOf('\n\n', start + 1);
  return text.slice(start + 1, end < 0 ? undefined : end);
}

/** `from -> to  impact (confidence), ...`: the heading line of each edge. */
function edgeHeadings(text: string): string[] {
  return [...text.matchAll(/^ {2}(\S+ -> \S+) {2}\S+ \(\w+\), /gm)].map((match) => match[1] ?? '');
}

describe('renderImpactText', () => {
  describe.each(namedImpacts)('$name impact', ({ name, view }) => {
    const text = renderImpactText(view);

    it('matches its golden file', () => {
      expectGolden(text, `impact-${name}.txt`);
    });

    it('is deterministic and ends in a newline', () => {
      expect(text.endsWith('\n')).toBe(true);
      expect(renderImpactText(view)).toBe(text);
    });

    it('has its sections in order, each once', () => {
      const positions = SECTIONS.map((heading) => text.indexOf(`\n${heading}`));
      expect(positions.every((position) => position > 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      for (const heading of SECTIONS) expect(text.split(`\n${heading}`)).toHaveLength(2);
    });

    it('holds no control character but the line break', () => {
      expect(text).not.toMatch(CONTROL);
    });
  });

  it('shows every edge once, in the view order inside each section', () => {
    for (const view of [shopImpact, firstVersionImpact]) {
      const shown = edgeHeadings(renderImpactText(view));
      expect([...shown].sort()).toEqual(view.edges.map((edge) => `${edge.from} -> ${edge.to}`).sort());
    }
  });

  it('names the callers that must revert with it, with the operation the target never served', () => {
    const text = renderImpactText(shopImpact);
    expect(text.startsWith('rolling back inventory from 1.9.0 to 1.8.2\n')).toBe(true);
    const callers = section(text, 'must revert with it');
    expect(callers).toContain('must revert with it (1):\n  checkout -> inventory  coordinated (observed), sync, 460 calls, 2 errors\n');
    expect(callers).toContain('checkout uses POST /inventory/reserve, first served by inventory 1.9.0');
    const flat = callers.replace(/\n {6}/g, ' ');
    expect(flat).toContain(
      '    - POST /inventory/reserve (120 calls): never served by 1.8.2; served by inventory 1.9.0; used by checkout 2.4.0',
    );
    expect(flat).toContain(
      '    - GET /inventory/{sku} (340 calls): served by inventory 1.8.2, 1.9.0; used by checkout 2.3.1, 2.4.0\n',
    );
  });

  it('sorts the other edges into compensation, third parties and unaffected, with confidence', () => {
    const shop = renderImpactText(shopImpact);
    expect(section(shop, 'writes to compensate')).toContain('inventory -> postgresql:inventory  data-migration (observed), database');
    expect(section(shop, 'third parties')).toBe('third parties with side effects, to pause first: none');
    const unaffected = section(shop, 'unaffected');
    expect(edgeHeadings(`\n${unaffected}`)).toEqual(['admin-console -> inventory', 'inventory -> kafka:stock-events']);
    expect(unaffected).toContain('inventory -> kafka:stock-events  independent (assumed), async, 310 calls');
    expect(unaffected).toContain('    inventory 1.8.2 already served every operation admin-console uses');

    const search = renderImpactText(firstVersionImpact);
    expect(edgeHeadings(`\n${section(search, 'third parties')}`)).toEqual(['search -> api.sendgrid.com']);
    expect(edgeHeadings(`\n${section(search, 'writes to compensate')}`)).toEqual(['search -> elasticsearch:products']);
  });

  it('shows an untagged edge as unknown instead of dropping it', () => {
    const text = renderImpactText(firstVersionImpact);
    expect(section(text, 'impact unknown')).toContain('  search -> ranker  unknown (unknown), sync, 12,000 calls\n    no reason given\n');
  });

  it('says plainly when there is no previous version', () => {
    const text = renderImpactText(firstVersionImpact);
    expect(text).toMatch(/^rolling back search from 1\.0\.0: no previous version known\n {2}The traces show no version of search before 1\.0\.0,/);
    expect(text).toContain('rollgraph impact search --to-version VERSION');
    expect(text).not.toContain('never served by');
    const unknownBoth: ImpactView = { ...firstVersionImpact, fromVersion: null };
    expect(renderImpactText(unknownBoth)).toMatch(/^rolling back search \(current version unknown\): no previous version known\n/);
  });

  it('lists at most five operations of an edge, then counts the rest', () => {
    const callers = section(renderImpactText(firstVersionImpact), 'must revert with it');
    expect(callers.match(/^ {4}- GET|^ {4}- POST/gm)).toHaveLength(5);
    expect(callers.endsWith('\n    - and 2 more')).toBe(true);
  });

  it('explains a caller that reverts through another caller', () => {
    const text = renderImpactText(hostileImpact);
    const callers = section(text, 'must revert with it').replace(/\n {4}/g, ' ');
    expect(callers).toContain('  tty\\x1B[2J\\x1B[31mred\\x0Anew line\\u202Eexe.txt  (no direct call; reverts because tty');
  });

  it('ends with the plan command, the name quoted for a shell', () => {
    expect(renderImpactText(shopImpact)).toMatch(
      /\nplan: revert set checkout, inventory in 2 waves, 7 steps \(1 irreversible\)\n {2}the steps: rollgraph plan inventory\n$/,
    );
    expect(renderImpactText(hostileImpact)).toContain(`the steps: rollgraph plan '${IMG_TAG}'\n`);
    const quote: ImpactView = { ...shopImpact, service: "it's" };
    expect(renderImpactText(quote)).toContain(`rollgraph plan 'it'\\''s'\n`);
  });
});
