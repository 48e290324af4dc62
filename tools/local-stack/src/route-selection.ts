/**
 * Route selection for MESSAGE frames, as API Gateway does it for a WebSocket API: evaluate the
 * route selection expression against the JSON-parsed frame, pick the route whose key equals the
 * result exactly, else `$default`, else nothing (the gateway then answers `Forbidden`).
 */

/** Route keys API Gateway reserves; they are never selected by a frame's content. */
const RESERVED_ROUTE_KEYS = new Set(['$connect', '$disconnect', '$default']);

/** A compiled route selection expression: frame text in, selection value out. */
export type RouteSelector = (frameText: string) => string;

/**
 * Compiles a selection expression such as `$request.body.action` or
 * `${request.body.service}/${request.body.action}`.
 *
 * @throws Error when the expression refers to anything but `request.body`.
 */
export function compileRouteSelectionExpression(expression: string): RouteSelector {
  const parts = parseExpression(expression);
  return (frameText: string): string => {
    let body: unknown;
    try {
      body = JSON.parse(frameText);
    } catch {
      // Non-JSON frames go to $default: no key can match them.
      return '';
    }
    return parts
      .map((part) => (typeof part === 'string' ? part : stringifySelected(lookUp(body, part.path))))
      .join('');
  };
}

/**
 * The route a frame goes to: the custom route whose key equals `selectionValue`, else `$default`
 * when the API has one, else `undefined`.
 */
export function selectRoute(
  selectionValue: string,
  routeKeys: ReadonlySet<string>,
): string | undefined {
  if (!RESERVED_ROUTE_KEYS.has(selectionValue) && routeKeys.has(selectionValue)) {
    return selectionValue;
  }
  return routeKeys.has('$default') ? '$default' : undefined;
}

type ExpressionPart = string | { readonly path: readonly string[] };

function parseExpression(expression: string): ExpressionPart[] {
  const bare = /^\$request\.body\.([\w.-]+)$/.exec(expression);
  if (bare?.[1] !== undefined) return [{ path: bare[1].split('.') }];
  const parts: ExpressionPart[] = [];
  const variable = /\$\{([^}]*)\}/g;
  let last = 0;
  for (let match = variable.exec(expression); match !== null; match = variable.exec(expression)) {
    const reference = /^request\.body\.([\w.-]+)$/.exec(match[1] ?? '');
    if (reference?.[1] === undefined) {
      throw new Error(`Unsupported route selection variable: \${${match[1]}}`);
    }
    parts.push(expression.slice(last, match.index), { path: reference[1].split('.') });
    last = match.index + match[0].length;
  }
  if (parts.length === 0) {
    throw new Error(`Unsupported route selection expression: ${expression}`);
  }
  parts.push(expression.slice(last));
  return parts;
}

function lookUp(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function stringifySelected(value: unknown): string {
  // AWS: an unresolved path becomes "". It stringifies arrays and objects; their exact text is
  // UNCONFIRMED, and JSON is the likely form. null is treated as unresolved (UNCONFIRMED).
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
