/**
 * Small text helpers the reporters share: lists and counts in plain English, word wrapping, and
 * showing untrusted names from traces as written (control and bidirectional characters made
 * visible, so a service name can neither move the cursor nor show itself reversed).
 */

/** `a`, `a and b`, `a, b and c`. */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

/** `1 call`, `1,204 calls`: grouped by hand, so the output is the same under every locale. */
export function plural(count: number, noun: string): string {
  const digits = String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${digits} ${noun}${count === 1 ? '' : 's'}`;
}

/** Pads to `width` columns, counting code points. */
export function padEnd(text: string, width: number): string {
  const length = [...text].length;
  return length >= width ? text : text + ' '.repeat(width - length);
}

/** Whether two lists hold the same names, in any order. */
export function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

/**
 * Words of `text` in lines of at most `width` columns: the first line starts with `first`, the
 * others with `rest`. A word longer than a line gets a line of its own. Splits on single spaces,
 * so a run of spaces inside a name survives unless a line ends there.
 */
export function wrap(text: string, first: string, rest: string, width: number): string[] {
  const lines: string[] = [];
  let line = first;
  let isEmpty = true;
  for (const word of text.trim().split(' ')) {
    if (!isEmpty && word !== '' && [...line].length + 1 + [...word].length > width) {
      lines.push(line.trimEnd());
      line = rest + word;
    } else {
      line += isEmpty ? word : ` ${word}`;
    }
    isEmpty = false;
  }
  lines.push(line.trimEnd());
  return lines;
}

/**
 * Text a terminal (or a Markdown list item) shows as written: C0 and C1 control characters
 * (escape sequences, line breaks, tabs, backspace) become `\xHH`, bidirectional controls and
 * unpaired surrogates `\uHHHH`.
 */
export function showControls(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${hex(code, 2)}`;
    else if (isBidiControl(code) || (code >= 0xd800 && code <= 0xdfff)) out += `\\u${hex(code, 4)}`;
    else out += char;
  }
  return out;
}

/** Embeddings, overrides, isolates and marks that could show a name reversed or hidden. */
function isBidiControl(code: number): boolean {
  return (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) || code === 0x200e || code === 0x200f || code === 0x061c;
}

function hex(code: number, width: number): string {
  return code.toString(16).toUpperCase().padStart(width, '0');
}
