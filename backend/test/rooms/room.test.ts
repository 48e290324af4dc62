/**
 * The room a handshake asks for, from its URL's query (roomFromQuery).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ROOM } from '../../../contract/room-name.ts';
import { roomFromQuery } from '../../src/rooms/room.ts';

describe('roomFromQuery', () => {
  it.each<[Record<string, string> | undefined, string]>([
    [undefined, DEFAULT_ROOM],
    [{}, DEFAULT_ROOM],
    [{ room: 'support' }, 'support'],
    [{ room: 'Team-A_2' }, 'team-a_2'],
    [{ room: 'x'.repeat(32) }, 'x'.repeat(32)],
  ])('reads %j as %s', (query, room) => {
    expect(roomFromQuery(query)).toEqual({ ok: true, room });
  });

  it.each(['', '_lead', 'a b', 'x'.repeat(33), 'café', 'a/b', '%2e%2e'])('refuses "%s"', (room) => {
    const choice = roomFromQuery({ room });
    expect(choice.ok).toBe(false);
  });
});
