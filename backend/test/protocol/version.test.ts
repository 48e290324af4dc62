/**
 * The protocol version a handshake declares, and which connections are sent the frames an old
 * client would not understand.
 */
import { describe, expect, it } from 'vitest';
import { protocolVersionFromQuery, understandsControlFrames } from '../../src/protocol/version.ts';

describe('protocolVersionFromQuery', () => {
  it('reads v, and none for an old client', () => {
    expect(protocolVersionFromQuery({ room: 'lobby', v: '3' })).toEqual({ ok: true, version: 3 });
    expect(protocolVersionFromQuery({ room: 'lobby' })).toEqual({ ok: true, version: undefined });
    expect(protocolVersionFromQuery(undefined)).toEqual({ ok: true, version: undefined });
  });

  it.each(['', '0', '03', '3.0', '1e3', '-3', 'three', '1001', '99999'])('refuses v=%s', (v) => {
    expect(protocolVersionFromQuery({ v })).toMatchObject({ ok: false });
  });
});

describe('understandsControlFrames', () => {
  it('is true from version 3 on, and never for an old client', () => {
    expect([undefined, 1, 2, 3, 4].map(understandsControlFrames)).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
  });
});
