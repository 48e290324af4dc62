/**
 * Finds the web links in a chat message, so the view can make them clickable while everything
 * else stays text. Only `http:` and `https:` are ever links: `javascript:`, `data:` and every
 * other scheme are left as the text they are.
 */

/** A piece of a message: plain text, or a link with the exact text it was written as. */
export type MessagePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'link'; readonly text: string; readonly href: string };

/**
 * Where a link may start: `http://` or `https://` in any case, not glued to a preceding letter or
 * digit (so `xhttp://…` is not one), then a run of characters up to white space or a character
 * that cannot appear in a URL as people write them in text (`<`, `>`, `"`).
 */
const candidate = /(?<![\p{L}\p{N}])https?:\/\/[^\s<>"]+/giu;

/** Punctuation that ends a sentence rather than a URL: `see https://example.com.` */
const trailingPunctuation = /[.,:;!?'*_~]$/u;

/** Closing brackets kept only while the URL opened as many, as in `…/wiki/Foo_(bar)`. */
const closingToOpening: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };

/**
 * Splits `text` into text and links. Joining every part's `text` gives `text` back unchanged.
 * A candidate becomes a link only if the URL parser accepts it as `http:`/`https:` with a host
 * and without a user name or password (`https://bank.example@evil.example` reads as the bank's
 * address but goes elsewhere, so it stays text).
 */
export function tokenizeLinks(text: string): MessagePart[] {
  const parts: MessagePart[] = [];
  let plainStart = 0;
  for (const match of text.matchAll(candidate)) {
    const start = match.index;
    const written = trimUrlEnd(match[0]);
    const href = safeHref(written);
    if (href === undefined) continue;
    if (start > plainStart) parts.push({ kind: 'text', text: text.slice(plainStart, start) });
    parts.push({ kind: 'link', text: written, href });
    plainStart = start + written.length;
  }
  if (plainStart < text.length) parts.push({ kind: 'text', text: text.slice(plainStart) });
  return parts;
}

/** Drops sentence punctuation and unbalanced closing brackets from the end of a candidate. */
function trimUrlEnd(url: string): string {
  let end = url.length;
  for (;;) {
    const last = url[end - 1] ?? '';
    const opening = closingToOpening[last];
    if (trailingPunctuation.test(last)) {
      end -= 1;
    } else if (opening !== undefined && !isBalanced(url.slice(0, end), opening, last)) {
      end -= 1;
    } else {
      return url.slice(0, end);
    }
  }
}

/** Whether `text` closes no more `close` brackets than it opens `open` ones. */
function isBalanced(text: string, open: string, close: string): boolean {
  let depth = 0;
  for (const char of text) {
    if (char === open) depth += 1;
    else if (char === close) depth -= 1;
  }
  return depth >= 0;
}

/** The normalised address for an anchor's `href`, or `undefined` when this is no safe web link. */
function safeHref(written: string): string | undefined {
  let url: URL;
  try {
    url = new URL(written);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.hostname === '' || url.username !== '' || url.password !== '') return undefined;
  return url.href;
}
