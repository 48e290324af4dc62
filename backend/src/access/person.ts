/**
 * Who a connection belongs to, for the limits that hold per person: in an auth mode the signed-in
 * user (the authorizer's verified sender), across all their connections; without sign-in the
 * nearest thing there is, the source IP (an IPv6 address by its /64, the block one subscriber
 * usually holds). Pure.
 *
 * The local stack's own client addresses, 127.0.0.1 and ::1, are no person: API Gateway never
 * reports them (its clients reach it over the internet), while on the local stack every client
 * has one of them by default, and all would share one budget and one cap. There the
 * per-connection budget holds, and the auth modes' per-user limits. Only those two: the rest of
 * 127.0.0.0/8 counts as people, so tests can act as distinct addresses from one machine.
 *
 * A person's key is stored on its connections' items and on its own item in the rooms table
 * (people.ts), where `#`, which no room name can begin with, keeps it apart from the rooms. A
 * source IP is kept only as a hash: pseudonymous (the IPv4 space is small enough to search), but
 * no table holds a readable address.
 */
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { VerifiedSender } from '../auth/authorizer-context.ts';

/** A person the limits apply to. */
export type Person =
  | { readonly kind: 'user'; readonly key: string; readonly sender: VerifiedSender }
  | { readonly kind: 'sourceIp'; readonly key: string };

/**
 * The person of a signed-in sender.
 * @param sender - the verified sender
 * @returns the person, keyed by its sender id
 */
export function userPerson(sender: VerifiedSender): Person {
  return { kind: 'user', key: `#user#${sender.id}`, sender };
}

/**
 * The person of a source IP.
 * @param sourceIp - `requestContext.identity.sourceIp`
 * @returns the person, keyed by a hash of the address (of its /64 for IPv6); undefined when the
 *   event carries no address (API Gateway always gives one; only a test omits it) or the local
 *   stack's own client address (127.0.0.1 or ::1)
 */
export function sourceIpPerson(sourceIp: string | undefined): Person | undefined {
  const address = sourceIp?.trim();
  const block = address === undefined ? undefined : addressBlock(address);
  if (address === undefined || block === undefined || isLocalStackClient(address, block)) {
    return undefined;
  }
  const hash = createHash('sha256').update(block).digest('base64url').slice(0, 22);
  return { kind: 'sourceIp', key: `#ip#${hash}` };
}

/**
 * The source IP of an event.
 * @param requestContext - the event's request context
 * @returns `identity.sourceIp`, when there is one
 */
export function sourceIpOf(requestContext: unknown): string | undefined {
  const identity =
    typeof requestContext === 'object' && requestContext !== null && 'identity' in requestContext
      ? (requestContext as { identity: unknown }).identity
      : undefined;
  const sourceIp =
    typeof identity === 'object' && identity !== null && 'sourceIp' in identity
      ? (identity as { sourceIp: unknown }).sourceIp
      : undefined;
  return typeof sourceIp === 'string' && sourceIp !== '' ? sourceIp : undefined;
}

/**
 * What one person holds of an address: an IPv4 address whole (an IPv4-mapped IPv6 address is
 * one), an IPv6 address by its first 64 bits.
 * @param address - an IP address
 * @returns its canonical block, or undefined for what is no IP address
 */
export function addressBlock(address: string): string | undefined {
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return undefined;
  const groups = ipv6Groups(address.toLowerCase());
  if (groups === undefined) return undefined;
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (mapped) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/**
 * Whether an address is the local stack's default client address: 127.0.0.1 (also written as
 * ::ffff:127.0.0.1) or ::1, exactly; not the rest of 127.0.0.0/8, nor of ::1's /64.
 */
function isLocalStackClient(address: string, block: string): boolean {
  if (block === '127.0.0.1') return true;
  const groups = isIPv6(address) ? ipv6Groups(address.toLowerCase()) : undefined;
  return groups?.every((group, index) => group === (index === 7 ? 1 : 0)) ?? false;
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.split('%')[0] ?? '';
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const bytes = dotted[1].split('.').map(Number);
    const [a = 0, b = 0, c = 0, d = 0] = bytes;
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  const missing = 8 - front.length - back.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  const groups = [...front, ...Array<number>(missing).fill(0), ...back];
  return groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff)
    ? groups
    : undefined;
}
