/**
 * Looks up an element of `index.html.tftpl` by id and checks its type, so a renamed element
 * fails loudly at start-up instead of as a `null` deep inside an event handler.
 */
export function requireElement<T extends HTMLElement>(
  id: string,
  type: new (...args: never[]) => T,
): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`index.html has no #${id} of the expected type`);
  return found;
}
