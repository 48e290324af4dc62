import { describe, expect, it } from 'vitest';
import { MESSAGE_ID_PATTERN, newMessageId } from '../../src/protocol/message-id.ts';

describe('newMessageId', () => {
  it('is a ULID whose first 10 characters encode the time', () => {
    const id = newMessageId(new Date(1_469_918_176_385), new Uint8Array(10));

    // The ULID specification's example time, with zero randomness
    expect(id).toBe('01ARYZ6S410000000000000000');
    expect(id).toMatch(MESSAGE_ID_PATTERN);
  });

  it('sorts by time as a plain string, and differs for the same millisecond', () => {
    const earlier = newMessageId(new Date('2026-11-27T06:00:00.000Z'));
    const later = newMessageId(new Date('2026-11-27T06:00:00.001Z'));
    const twins = Array.from({ length: 100 }, () =>
      newMessageId(new Date('2026-11-27T06:00:00.001Z')),
    );

    expect(earlier < later).toBe(true);
    expect(new Set(twins).size).toBe(100);
    for (const id of twins) expect(id).toMatch(MESSAGE_ID_PATTERN);
  });
});
