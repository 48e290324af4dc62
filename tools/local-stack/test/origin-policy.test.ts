/**
 * The local gateway's Origin guard on its own: which handshake Origins may connect.
 */
import { describe, expect, it } from 'vitest';
import { listedOrigins } from '../../../contract/origins.ts';
import { browserOriginPolicy, pageOrigins } from '../src/origin-policy.ts';

describe('browserOriginPolicy', () => {
  const allow = browserOriginPolicy([
    ...pageOrigins(['127.0.0.1', 'localhost', '::1'], 3000),
    ...listedOrigins(' http://localhost:5173 ,,not an origin'),
  ]);

  it.each([
    ['no Origin (a program, not a web page)', undefined],
    ['the page', 'http://127.0.0.1:3000'],
    ['the page by name', 'http://localhost:3000'],
    ['the page over IPv6', 'http://[::1]:3000'],
    ['the page, spelled in capitals', 'HTTP://LOCALHOST:3000'],
    ['an origin the developer listed', 'http://localhost:5173'],
  ])('allows %s', (_name, origin) => {
    expect(allow(origin)).toBe(true);
  });

  it.each([
    ['another site', 'https://evil.example'],
    ['another port', 'http://127.0.0.1:3001'],
    ['https on the page port', 'https://127.0.0.1:3000'],
    ['a sandboxed page or a file', 'null'],
    ['a malformed value', 'not an origin'],
    ['an empty value', ''],
  ])('refuses %s', (_name, origin) => {
    expect(allow(origin)).toBe(false);
  });
});

describe('pageOrigins', () => {
  it('builds an origin for every host, IPv6 in brackets', () => {
    expect(pageOrigins(['127.0.0.1', '::1'], 8080)).toEqual([
      'http://127.0.0.1:8080',
      'http://[::1]:8080',
    ]);
  });
});

describe('listedOrigins', () => {
  it('reads an unset or blank variable as no origins', () => {
    expect(listedOrigins(undefined)).toEqual([]);
    expect(listedOrigins(' , ')).toEqual([]);
  });
});
