/**
 * The token's way onto a WebSocket: the `Sec-WebSocket-Protocol` header. A browser cannot set an
 * `Authorization` header on a WebSocket handshake, but it can offer subprotocols
 * (`new WebSocket(url, ['awsome-chat', 'bearer.<JWT>'])`), and a JWT is made of characters a
 * subprotocol may hold (base64url and dots). The server must then choose one of the offered
 * protocols, or the browser fails the connection: `$connect` chooses the chat's own, never the
 * token. Pure: the authorizer and `$connect` both read the header through this module.
 */
import contract from '../../../contract/contract.json' with { type: 'json' };
import type { EventHeaders } from '../access/origin.ts';

/** The chat's subprotocol, which a client offers next to its token and `$connect` chooses. */
export const CHAT_SUBPROTOCOL: string = contract.auth.subprotocol;

/** What marks the offered protocol that carries the token. */
const TOKEN_PREFIX: string = contract.auth.tokenSubprotocolPrefix;

/**
 * Longer than any ID token an identity provider issues (Cognito's are 1 to 2 KB even with many
 * groups), short enough that nothing is parsed that cannot be a token.
 */
export const MAX_TOKEN_LENGTH = 8192;

/**
 * The subprotocols a handshake offers, in order: every `Sec-WebSocket-Protocol` header (names in
 * any case, as API Gateway passes them) split at its commas.
 * @param headers - the handshake's headers
 * @param multiValueHeaders - the same with repeated headers kept apart, when the event has them
 * @returns the offered protocols, trimmed, without empty entries
 */
export function offeredSubprotocols(
  headers: EventHeaders | undefined,
  multiValueHeaders?: Readonly<Record<string, readonly string[] | undefined>>,
): string[] {
  const values: string[] = [];
  const repeated = valuesNamed(multiValueHeaders, 'sec-websocket-protocol');
  if (repeated.length > 0) values.push(...repeated);
  else {
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (name.toLowerCase() === 'sec-websocket-protocol' && value !== undefined)
        values.push(value);
    }
  }
  return values
    .flatMap((value) => value.split(','))
    .map((protocol) => protocol.trim())
    .filter((protocol) => protocol !== '');
}

/**
 * The bearer token among the offered subprotocols.
 * @param protocols - the offered subprotocols
 * @returns the token (without its prefix), or undefined when none is offered, the first one is
 *   empty or longer than any token can be
 */
export function tokenFromSubprotocols(protocols: readonly string[]): string | undefined {
  const offered = protocols.find((protocol) => protocol.startsWith(TOKEN_PREFIX));
  const token = offered?.slice(TOKEN_PREFIX.length);
  if (token === undefined || token === '' || token.length > MAX_TOKEN_LENGTH) return undefined;
  return token;
}

/**
 * The subprotocol `$connect` answers with: the chat's own when the client offered it (the answer
 * must be one of the offers, and must never echo the token), else none.
 * @param protocols - the offered subprotocols
 * @returns the protocol to return in `Sec-WebSocket-Protocol`, or undefined
 */
export function chosenSubprotocol(protocols: readonly string[]): string | undefined {
  return protocols.includes(CHAT_SUBPROTOCOL) ? CHAT_SUBPROTOCOL : undefined;
}

function valuesNamed(
  multiValueHeaders: Readonly<Record<string, readonly string[] | undefined>> | undefined,
  lowerCaseName: string,
): string[] {
  const values: string[] = [];
  for (const [name, list] of Object.entries(multiValueHeaders ?? {})) {
    if (name.toLowerCase() === lowerCaseName && list !== undefined) values.push(...list);
  }
  return values;
}
