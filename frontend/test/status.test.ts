import { describe, expect, it } from 'vitest';
import { describeState, outageNote, stillTryingAfterAttempts } from '../src/status.ts';

describe('describeState', () => {
  it.each([
    [{ kind: 'disconnected' } as const, 'Disconnected', 'offline', 'Connect'],
    [{ kind: 'connecting', attempt: 0 } as const, 'Connecting…', 'pending', 'Disconnect'],
    [{ kind: 'connecting', attempt: 2 } as const, 'Reconnecting…', 'pending', 'Disconnect'],
    [
      { kind: 'waiting', attempt: 1, delayMs: 2_400 } as const,
      'Reconnecting in 2 s…',
      'pending',
      'Disconnect',
    ],
    [{ kind: 'connected' } as const, 'Connected', 'online', 'Disconnect'],
  ])('%j', (state, label, tone, action) => {
    // Act
    const view = describeState(state);

    // Assess
    expect(view).toEqual({ label, tone, action });
  });
});

describe('outageNote', () => {
  it('speaks up once, when an outage outlasts a few retries', () => {
    // Act
    const notes = [1, 2, 3, 4, 5].map((attempt) =>
      outageNote({ kind: 'waiting', attempt, delayMs: 1_000 }),
    );

    // Assess
    expect(notes.filter((note) => note !== undefined)).toHaveLength(1);
    expect(notes[stillTryingAfterAttempts - 1]).toMatch(/^Still cannot reach/);
  });

  it('suggests signing in anew when the page signs in: a refused token looks like an outage', () => {
    // Act
    const note = outageNote(
      { kind: 'waiting', attempt: stillTryingAfterAttempts, delayMs: 1_000 },
      true,
    );

    // Assess
    expect(note).toBe(
      'Still cannot reach the chat server. Retrying in the background… If this goes on, sign out and sign in again.',
    );
  });

  it('stays quiet for every other state', () => {
    // Act
    const notes = [
      outageNote({ kind: 'connected' }),
      outageNote({ kind: 'disconnected' }),
      outageNote({ kind: 'connecting', attempt: 3 }),
    ];

    // Assess
    expect(notes).toEqual([undefined, undefined, undefined]);
  });
});
