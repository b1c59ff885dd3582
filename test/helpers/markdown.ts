/** Reading Markdown back in the reporters' tests: code spans and prose lines, as CommonMark sees them. */

/**
 * A line split into the contents of its code spans and the text around them, the way
 * CommonMark pairs backtick runs: a run opens a span closed by the next run of the same length.
 */
export function splitCodeSpans(line: string): { code: string[]; text: string } {
  const code: string[] = [];
  let text = '';
  let index = 0;
  while (index < line.length) {
    const char = line[index] ?? '';
    if (char === '\\') {
      text += line.slice(index, index + 2);
      index += 2;
      continue;
    }
    if (char !== '`') {
      text += char;
      index += 1;
      continue;
    }
    const run = /^`+/.exec(line.slice(index))?.[0] ?? '`';
    const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
    close.lastIndex = index + run.length;
    const end = close.exec(line);
    if (end === null) {
      text += run;
      index += run.length;
      continue;
    }
    let content = line.slice(index + run.length, end.index);
    if (/^ .*[^ ].* $/.test(content) || /^ [^ ] $/.test(content)) content = content.slice(1, -1);
    code.push(content);
    text += '\u0000';
    index = end.index + run.length;
  }
  return { code, text };
}

/** The lines outside fenced code blocks (the chart and the accept commands). */
export function proseLines(markdown: string): string[] {
  let isFenced = false;
  return markdown.split('\n').filter((line) => {
    if (line.startsWith('```')) {
      isFenced = !isFenced;
      return false;
    }
    return !isFenced;
  });
}

/** Characters outside code spans that Markdown would read as syntax without a backslash. */
export function unescapedSyntax(text: string): string[] {
  const found: string[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] ?? '';
    if (char === '\\') index += 1;
    else if ('*[]|~$<`'.includes(char)) found.push(char);
    // An `_` between letters or digits cannot open or close emphasis.
    else if (char === '_' && !(/[\p{L}\p{N}]/u.test(text[index - 1] ?? '') && /[\p{L}\p{N}]/u.test(text[index + 1] ?? ''))) {
      found.push(char);
    }
  }
  return found;
}
