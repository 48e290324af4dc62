/**
 * What the authorizer hands the chat function: its result's `context`, which API Gateway repeats
 * on every event of the connection (`requestContext.authorizer`, with the `principalId`), on
 * `$connect`, every `$default` frame and `$disconnect` alike. So a frame learns its verified sender,
 * its room and its protocol version without reading anything.
 *
 * Every value is a string: a context may hold strings, numbers and booleans only (no object, no
 * array), and a string arrives as it was sent. The whole result stays far below API Gateway's
 * 8 KB limit: an id of 16 characters, a name of at most 64, a room of at most 32 and a version.
 */
import { isRoomName } from '../../../contract/room-name.ts';
import { senderNameTextProblem } from '../../../contract/text-rules.ts';

/** The sender a verified token names. */
export interface VerifiedSender {
  /** The stable sender id (sender.ts), also the result's `principalId`. */
  readonly id: string;
  /** The verified display name. */
  readonly name: string;
}

/** What the handshake asked for, as the authorizer read it from the URL. */
export interface HandshakeChoice {
  /** The room, lower-case; undefined when the URL's room is malformed (`$connect` refuses it). */
  readonly room: string | undefined;
  /** The protocol version; undefined for an old client, or when malformed. */
  readonly protocolVersion: number | undefined;
}

/** The keys of the authorizer's context. */
export const CONTEXT_KEYS = {
  senderId: 'senderId',
  senderName: 'senderName',
  room: 'room',
  protocolVersion: 'protocolVersion',
} as const;

/** The authorizer's context as API Gateway carries it. */
export type AuthorizerContext = Readonly<Record<string, string>>;

const SENDER_ID_PATTERN = /^[A-Za-z0-9_-]{16}$/;

/**
 * The authorizer result's context for a verified sender and what its handshake asked for.
 * @param sender - the verified sender
 * @param handshake - the room and version its URL named
 * @returns string values only, as API Gateway requires
 */
export function authorizerContextFor(
  sender: VerifiedSender,
  handshake: HandshakeChoice,
): AuthorizerContext {
  return {
    [CONTEXT_KEYS.senderId]: sender.id,
    [CONTEXT_KEYS.senderName]: sender.name,
    ...(handshake.room !== undefined && { [CONTEXT_KEYS.room]: handshake.room }),
    ...(handshake.protocolVersion !== undefined && {
      [CONTEXT_KEYS.protocolVersion]: String(handshake.protocolVersion),
    }),
  };
}

/** The verified sender of an event, with its room and version when the authorizer gave them. */
export interface AuthorizedConnection extends VerifiedSender, HandshakeChoice {}

/**
 * Reads the authorizer's context from an event's request context. The context is API Gateway's,
 * never the client's; it is checked all the same, so a misconfigured stage (or stand-in) shows
 * as no sender at all rather than as a malformed one.
 * @param requestContext - the event's `requestContext`
 * @returns the sender, or undefined when the event carries no (well-formed) authorizer context
 */
export function authorizedConnectionOf(requestContext: unknown): AuthorizedConnection | undefined {
  const authorizer =
    typeof requestContext === 'object' && requestContext !== null && 'authorizer' in requestContext
      ? (requestContext as { authorizer: unknown }).authorizer
      : undefined;
  if (typeof authorizer !== 'object' || authorizer === null) return undefined;
  const context = authorizer as Readonly<Record<string, unknown>>;
  const id = ownString(context, CONTEXT_KEYS.senderId);
  const name = ownString(context, CONTEXT_KEYS.senderName);
  if (id === undefined || !SENDER_ID_PATTERN.test(id)) return undefined;
  if (name === undefined || name === '' || senderNameTextProblem(name) !== undefined) {
    return undefined;
  }
  const room = ownString(context, CONTEXT_KEYS.room);
  const version = ownString(context, CONTEXT_KEYS.protocolVersion);
  return {
    id,
    name,
    room: room !== undefined && isRoomName(room) ? room : undefined,
    protocolVersion:
      version !== undefined && /^[1-9][0-9]{0,3}$/.test(version) ? Number(version) : undefined,
  };
}

function ownString(record: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = Object.hasOwn(record, key) ? record[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}
