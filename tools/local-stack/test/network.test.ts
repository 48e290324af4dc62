/**
 * Where the stack listens and what it tells browsers, for each kind of `--host`, with a fixed
 * list of interfaces.
 */
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  type Interfaces,
  isFromThisMachinesPrograms,
  isLoopbackAddress,
  isLoopbackHost,
  loopbackHostFor,
  reachableHost,
  servedHosts,
  urlHost,
} from '../src/network.ts';

function address(value: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo {
  const common = { address: value, netmask: '', mac: '00:00:00:00:00:00', internal, cidr: null };
  return family === 'IPv4'
    ? { ...common, family: 'IPv4' }
    : { ...common, family: 'IPv6', scopeid: 0 };
}

const LOOPBACK_ONLY: Interfaces = {
  lo: [address('127.0.0.1', 'IPv4', true), address('::1', 'IPv6', true)],
};
const WITH_LAN: Interfaces = {
  ...LOOPBACK_ONLY,
  eth0: [
    address('fe80::fc:ff:fe00:1', 'IPv6'),
    address('fd00::2', 'IPv6'),
    address('192.0.2.2', 'IPv4'),
  ],
};

describe('isFromThisMachinesPrograms', () => {
  it.each(['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1'])(
    'answers a loopback peer (%s) without Origin',
    (remoteAddress) => {
      expect(isFromThisMachinesPrograms({ remoteAddress, origin: undefined })).toBe(true);
    },
  );

  it.each([
    ['another machine', '192.0.2.7', undefined],
    ['an unknown peer', undefined, undefined],
    ['a web page on this machine', '127.0.0.1', 'http://evil.example'],
    ['even the chat page', '127.0.0.1', 'http://127.0.0.1:3000'],
    ['a sandboxed page', '::1', 'null'],
  ])('refuses %s', (_who, remoteAddress, origin) => {
    expect(isFromThisMachinesPrograms({ remoteAddress, origin })).toBe(false);
  });
});

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])('counts %s', (value) => {
    expect(isLoopbackAddress(value)).toBe(true);
  });

  it.each(['192.0.2.2', '::ffff:192.0.2.2', 'fd00::2', '0.0.0.0', '::', 'localhost', undefined])(
    'does not count %s',
    (value) => {
      expect(isLoopbackAddress(value)).toBe(false);
    },
  );
});

describe('hosts', () => {
  it.each([
    ['127.0.0.1', true, '127.0.0.1'],
    ['localhost', true, 'localhost'],
    ['::1', true, '::1'],
    ['0.0.0.0', false, '127.0.0.1'],
    ['::', false, '127.0.0.1'],
    ['192.0.2.2', false, '127.0.0.1'],
  ])('--host %s: loopback %s, unauthenticated servers on %s', (host, loopback, inward) => {
    expect(isLoopbackHost(host)).toBe(loopback);
    expect(loopbackHostFor(host)).toBe(inward);
  });

  it('puts IPv6 addresses in brackets in URLs', () => {
    expect(urlHost('::1')).toBe('[::1]');
    expect(urlHost('127.0.0.1')).toBe('127.0.0.1');
    expect(urlHost('localhost')).toBe('localhost');
  });
});

describe('reachableHost', () => {
  it.each([
    ['127.0.0.1', WITH_LAN, '127.0.0.1'],
    ['192.0.2.2', WITH_LAN, '192.0.2.2'],
    ['0.0.0.0', WITH_LAN, '192.0.2.2'],
    ['::', WITH_LAN, '192.0.2.2'],
    ['::', { eth0: [address('fe80::1', 'IPv6'), address('fd00::2', 'IPv6')] }, 'fd00::2'],
    ['0.0.0.0', { eth0: [address('fd00::2', 'IPv6')] }, undefined],
    ['0.0.0.0', LOOPBACK_ONLY, undefined],
  ])('gives browsers of --host %s an address they can reach', (host, interfaces, expected) => {
    expect(reachableHost(host, interfaces)).toBe(expected);
  });
});

describe('servedHosts', () => {
  it.each([
    ['127.0.0.1', ['127.0.0.1', 'localhost']],
    ['localhost', ['localhost', '127.0.0.1', '::1']],
    ['192.0.2.2', ['192.0.2.2']],
    ['0.0.0.0', ['127.0.0.1', '192.0.2.2', 'localhost']],
    ['::', ['127.0.0.1', '::1', 'fe80::fc:ff:fe00:1', 'fd00::2', '192.0.2.2', 'localhost']],
  ])('lists the hosts a page on --host %s is loaded from', (host, expected) => {
    expect(servedHosts(host, WITH_LAN)).toEqual(expected);
  });
});
