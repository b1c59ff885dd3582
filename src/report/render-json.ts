/** JSON for machines (CONTRACT §6): the view as is, two-space indented, ending in a newline. */
export function renderJson(view: unknown): string {
  return `${JSON.stringify(view, null, 2)}\n`;
}
