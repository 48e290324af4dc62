/**
 * The local gateway's Origin guard, which has no counterpart in API Gateway. On a developer's
 * machine the socket is reachable from every web page the developer opens: a browser sends
 * `Origin` on every WebSocket handshake, and nothing else stops a page on another site from
 * opening one. So a handshake whose Origin is not the chat page's own (or one the developer
 * allowed with `--env ALLOWED_ORIGINS=...`) is refused with 403 before `$connect` runs, whatever
 * handler the stack runs.
 *
 * A handshake without `Origin` is let through: it comes from a program (wscat, the tests, the
 * benchmark), not from a web page, and a program can send any Origin it likes, so refusing it
 * would protect nothing. (Behind API Gateway the chat's own function does this check, with
 * `ALLOWED_ORIGINS`; there a handshake without Origin is refused, since the function has no
 * way to tell a program from a stripped browser request.)
 */
import { normaliseOrigin } from '../../../contract/origins.ts';
import { urlHost } from './network.ts';

/** Decides whether a handshake's `Origin` header (undefined when absent) may connect. */
export type OriginPolicy = (origin: string | undefined) => boolean;

/**
 * The guard for a set of allowed origins.
 * @param allowed - origins such as `http://127.0.0.1:3000`; entries that are not origins are ignored
 * @returns the policy: no Origin, or an allowed one (compared as browsers serialise origins)
 */
export function browserOriginPolicy(allowed: Iterable<string>): OriginPolicy {
  const origins = new Set<string>();
  for (const entry of allowed) {
    const origin = normaliseOrigin(entry);
    if (origin !== undefined) origins.add(origin);
  }
  return (origin) => {
    if (origin === undefined) return true;
    const normalised = normaliseOrigin(origin);
    return normalised !== undefined && origins.has(normalised);
  };
}

/**
 * The chat page's own origins: `http://HOST:PORT` for every host it is served under.
 * @param hosts - names and addresses the page server answers on
 * @param port - the page server's port
 * @returns the origins
 */
export function pageOrigins(hosts: readonly string[], port: number): string[] {
  return hosts.map((host) => `http://${urlHost(host)}:${port}`);
}
