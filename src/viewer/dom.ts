/**
 * The only way the report puts text on the page: elements created one by one, their text set
 * with `textContent`. Every name comes from traces and is untrusted; nothing is ever parsed as
 * HTML, so `<img onerror=...>` in a service name stays text.
 */
export type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className !== undefined && className !== '') element.className = className;
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the report page lacks #${id}`);
  return element as T;
}

/** A button that looks like a link, for a service name that can be selected. */
export function nameButton(name: string, onSelect: (name: string) => void, className = 'name'): HTMLButtonElement {
  const button = el('button', className, name);
  button.type = 'button';
  button.title = name;
  button.addEventListener('click', () => onSelect(name));
  return button;
}
