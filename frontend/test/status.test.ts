import { describe, expect, it } from 'vitest';
import { describeState } from '../src/status.ts';

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
