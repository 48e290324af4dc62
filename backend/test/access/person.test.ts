/** Whose limits a connection counts against: a user, or a source IP (an IPv6 one by its /64). */
import { describe, expect, it } from 'vitest';
import { addressBlock, sourceIpOf, sourceIpPerson, userPerson } from '../../src/access/person.ts';

describe('addressBlock', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3:8d3::/64'],
    ['2001:DB8:85A3:08D3::1', '2001:db8:85a3:8d3::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::ffff:cb00:7107', '203.0.113.7'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('holds %s as %s', (address, block) => {
    expect(addressBlock(address)).toBe(block);
  });

  it.each(['', 'localhost', '300.1.1.1', '2001:db8::1::2', 'x'])(
    'knows %j is no address',
    (text) => {
      expect(addressBlock(text)).toBeUndefined();
    },
  );
});

describe('sourceIpPerson', () => {
  it('is one person for one address, and for every address of one /64', () => {
    const one = sourceIpPerson('2001:db8:1:2::10');

    expect(one?.key).toMatch(/^#ip#[A-Za-z0-9_-]{22}$/);
    expect(sourceIpPerson('2001:db8:1:2:ffff::1')?.key).toBe(one?.key);
    expect(sourceIpPerson('2001:db8:1:3::10')?.key).not.toBe(one?.key);
    expect(sourceIpPerson('203.0.113.7')?.key).not.toBe(sourceIpPerson('203.0.113.8')?.key);
  });

  it('keeps no readable address in the key', () => {
    expect(sourceIpPerson('203.0.113.7')?.key).not.toContain('203');
  });

  it.each([undefined, '', 'not an ip', '127.0.0.1', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])(
    'is nobody for %j (no address, or the loopback address every local-stack client has)',
    (sourceIp) => {
      expect(sourceIpPerson(sourceIp)).toBeUndefined();
    },
  );

  it.each(['127.8.0.2', '127.0.0.2', '::2', '::ffff:127.0.0.3'])(
    'is a person for %j: only the local stack default client addresses are exempt',
    (sourceIp) => {
      expect(sourceIpPerson(sourceIp)?.key).toMatch(/^#ip#[A-Za-z0-9_-]{22}$/);
    },
  );

  it('tells the other loopback addresses apart', () => {
    expect(sourceIpPerson('127.0.0.2')?.key).not.toBe(sourceIpPerson('127.0.0.3')?.key);
  });
});

describe('userPerson and sourceIpOf', () => {
  it('keys a user by the sender id', () => {
    expect(userPerson({ id: 'AbCdEfGhIj0123_-', name: 'Ada' })).toEqual({
      kind: 'user',
      key: '#user#AbCdEfGhIj0123_-',
      sender: { id: 'AbCdEfGhIj0123_-', name: 'Ada' },
    });
  });

  it('reads the source IP of an event, and nothing that is not one', () => {
    expect(sourceIpOf({ identity: { sourceIp: '203.0.113.7' } })).toBe('203.0.113.7');
    expect(sourceIpOf({ identity: { sourceIp: 7 } })).toBeUndefined();
    expect(sourceIpOf({ identity: {} })).toBeUndefined();
    expect(sourceIpOf(undefined)).toBeUndefined();
  });
});
