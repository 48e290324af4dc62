/**
 * Where the local stack listens and what address it gives browsers. The chat page and the
 * WebSocket endpoint follow `--host`; the `@connections` API and DynamoDB have no authentication
 * (nothing checks a signature), so they answer on loopback only, whatever `--host` says.
 */
import { isIP } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';

/** This machine's interfaces, as `os.networkInterfaces()` lists them. */
export type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/**
 * Tells whether a TCP peer's address is this machine's loopback. Another machine cannot send from
 * one: the kernel drops packets with a loopback source that arrive on a network interface.
 * @param address - `socket.remoteAddress`, IPv4-mapped IPv6 included
 * @returns true for 127.0.0.0/8 and ::1
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return plain === '::1' || (isIP(plain) === 4 && plain.startsWith('127.'));
}

/**
 * Tells whether an HTTP request comes from a program on this machine: a loopback peer that sent
 * no `Origin` header. Browsers send `Origin` on every cross-origin request and every POST, so a
 * web page the developer opens (or one reached through DNS rebinding) is refused; SDK clients
 * never send it. The guard of every local service that checks no signature (`@connections`,
 * SQS); there is no such guard on AWS, where IAM signatures do this job.
 * @param request - the peer's address and the request's `Origin` header
 * @returns true when the request may be answered
 */
export function isFromThisMachinesPrograms(request: {
  readonly remoteAddress: string | undefined;
  readonly origin: string | undefined;
}): boolean {
  return isLoopbackAddress(request.remoteAddress) && request.origin === undefined;
}

/**
 * Tells whether listening on `host` keeps a server on this machine.
 * @param host - a `--host` value
 * @returns true for `localhost` and loopback addresses
 */
export function isLoopbackHost(host: string): boolean {
  return host.toLowerCase() === 'localhost' || isLoopbackAddress(host);
}

/**
 * Tells whether `host` means every interface.
 * @param host - a `--host` value
 * @returns true for `0.0.0.0` and `::`
 */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/**
 * A host as it appears in a URL: IPv6 in brackets.
 * @param host - a name or an address
 * @returns the URL form
 */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/**
 * The loopback host for the servers that must never leave this machine (`@connections`,
 * DynamoDB): `host` itself when it is loopback, else 127.0.0.1.
 * @param host - the `--host` value
 * @returns a loopback host
 */
export function loopbackHostFor(host: string): string {
  return isLoopbackHost(host) ? host : '127.0.0.1';
}

/**
 * The host browsers should use to reach a server listening on `host`: `host` itself, or for a
 * wildcard the first external address of this machine (IPv4 first; link-local IPv6 addresses
 * need a zone and are skipped). Undefined when a wildcard finds no external address.
 * @param host - the `--host` value
 * @param interfaces - this machine's interfaces
 * @returns the host for URLs, or undefined
 */
export function reachableHost(host: string, interfaces: Interfaces): string | undefined {
  if (!isWildcardHost(host)) return host;
  const external = Object.values(interfaces)
    .flatMap((addresses) => addresses ?? [])
    .filter((address) => !address.internal && !address.address.toLowerCase().startsWith('fe80:'));
  const ipv4 = external.find((address) => address.family === 'IPv4');
  const ipv6 = host === '::' ? external.find((address) => address.family === 'IPv6') : undefined;
  return (ipv4 ?? ipv6)?.address;
}

/**
 * Every host under which a browser on this or another machine can load a page served on
 * `host`: the addresses the server listens on, and `localhost` when that includes loopback.
 * @param host - the `--host` value
 * @param interfaces - this machine's interfaces
 * @returns host names and addresses, without brackets
 */
export function servedHosts(host: string, interfaces: Interfaces): string[] {
  if (host.toLowerCase() === 'localhost') return ['localhost', '127.0.0.1', '::1'];
  const addresses = isWildcardHost(host)
    ? Object.values(interfaces)
        .flatMap((entries) => entries ?? [])
        .filter((address) => host === '::' || address.family === 'IPv4')
        .map((address) => address.address)
    : [host];
  return addresses.some(isLoopbackAddress) ? [...addresses, 'localhost'] : addresses;
}
