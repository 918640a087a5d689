/**
 * The only way the application builds DOM: names and free text always become text nodes or
 * attribute values, never markup, so a name like `<img onerror=…>` is shown, not run
 * (decision 030). There is deliberately no helper that takes HTML.
 */
export type Child = Node | string | number | null | undefined | false;

export interface ElementProps {
  readonly class?: string;
  readonly attrs?: Readonly<Record<string, string | undefined>>;
  readonly on?: Readonly<Partial<Record<keyof HTMLElementEventMap, (event: Event) => void>>>;
}

function append(parent: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'number' ? String(child) : child);
  }
}

function applyProps(element: Element, props: ElementProps): void {
  if (props.class) element.setAttribute('class', props.class);
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    // Never `style` or `on…`: the CSP refuses inline styles and inline script (decision 030), and
    // the browser tests fail on the console error that refusal reports. Classes and listeners.
    if (value !== undefined) element.setAttribute(name, value);
  }
  for (const [type, listener] of Object.entries(props.on ?? {})) {
    if (listener) element.addEventListener(type, listener);
  }
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  applyProps(element, props);
  append(element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Readonly<Record<string, string | number>> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  applyProps(element, { attrs: Object.fromEntries(Object.entries(attrs).map(([name, value]) => [name, String(value)])) });
  append(element, children);
  return element;
}

/** Replaces what a container shows. */
export function show(container: Element, ...children: Child[]): void {
  container.replaceChildren();
  append(container, children);
}
