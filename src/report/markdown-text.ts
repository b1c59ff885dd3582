/**
 * Writing untrusted text (names, versions, operations and reasons from traces) into Markdown so
 * that it shows exactly its characters and makes no Markdown of its own. The Markdown reporters
 * share these two functions: names go in as code spans, where Markdown, HTML, entities,
 * autolinks, @-mentions and #-references are all inert; sentences, which embed names but cannot
 * be code, are backslash-escaped. Control characters, which could end a line and start a
 * heading or a list, are shown as `\xHH` in both. Checked against markdown-it (CommonMark with
 * GFM tables).
 */
import { showControls } from './text-format.js';

/**
 * A name as a code span. The fence is one backtick longer than the longest run inside; a name
 * that starts or ends with a backtick or a space is padded with one space each side, which
 * CommonMark strips again. In a table cell `|` would end the cell even inside code, so it is
 * written `\|`, which GFM turns back into `|` before reading the cell.
 */
export function codeSpan(name: string, inTable = false): string {
  let text = showControls(name);
  if (text === '') return '*(empty)*';
  if (inTable) text = text.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(text) && /[^ ]/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** ASCII punctuation that Markdown or GFM reads as inline syntax anywhere in a line. */
const INLINE_SYNTAX = new Set([...'\\`*_[]|~$']);
/** Characters that open a block (heading, quote, list, setext underline) at the start of a line. */
const BLOCK_START = /^[#>+=-]|^\d{1,9}(?=[.)])/;
/** U+2060 as an entity, so the raw Markdown shows where it was put. */
const WORD_JOINER = '&#8288;';
/** `<` would open HTML or an autolink, `&` an entity; `>` alone means nothing after a line's start. */
const ENTITIES: Readonly<Record<string, string>> = { '<': '&lt;', '&': '&amp;' };

/**
 * A sentence as Markdown that shows exactly its characters. `<` and `&` are entities (no HTML,
 * no autolink, no entity of the sender's choosing); inline syntax is backslash-escaped (code,
 * emphasis, links, images, table pipes, strikethrough, math, escapes), except an `_` inside a
 * word, which cannot be emphasis; so is the first
 * character when it could open a block, since a sentence often starts a list item (`1.` keeps
 * its digits and escapes the `.`). The ends are trimmed: leading spaces would make code, and
 * trailing ones a line break. `@` and a `#` before a digit get a word joiner (U+2060, `&#8288;`)
 * after them: GitHub makes mentions and issue references from the rendered text, where a backslash
 * escape is already gone.
 */
export function escapeText(text: string): string {
  const chars = [...showControls(text).trim()];
  // Where the block marker sits: the character itself, or the `.` / `)` after a number.
  const marker = BLOCK_START.exec(chars.join(''));
  const escapeAt = marker === null ? -1 : /^\d/.test(marker[0]) ? marker[0].length : 0;
  let out = '';
  chars.forEach((char, index) => {
    const next = chars[index + 1] ?? '';
    const entity = ENTITIES[char];
    if (entity !== undefined) out += entity;
    else if (char === '@' && /^[\p{L}\p{N}_-]$/u.test(next)) out += `@${WORD_JOINER}`;
    else if (char === '#' && /^\d$/.test(next)) out += `${index === 0 ? '\\' : ''}#${WORD_JOINER}`;
    else if (char === '_' && isWordChar(chars[index - 1]) && isWordChar(next)) out += char;
    else if (INLINE_SYNTAX.has(char) || index === escapeAt) out += `\\${char}`;
    else out += char;
  });
  return out;
}

/** An `_` between two of these cannot open or close emphasis, so `payment_intents` stays as is. */
function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /^[\p{L}\p{N}]$/u.test(char);
}
