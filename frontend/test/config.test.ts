import { describe, expect, it } from 'vitest';
import contract from '../../contract/contract.json' with { type: 'json' };
import { readChatConfig } from '../src/config.ts';

describe('readChatConfig', () => {
  it('takes the URL and limit from config.js', () => {
    // Act
    const config = readChatConfig({ websocketUrl: 'wss://x.example/prod', maxMessageLength: 50 });

    // Assess
    expect(config).toEqual({ websocketUrl: 'wss://x.example/prod', maxMessageLength: 50 });
  });

  it("falls back to the backend's default limit", () => {
    // Act
    const config = readChatConfig({ websocketUrl: 'ws://127.0.0.1:3001/prod' });

    // Assess
    expect(config.maxMessageLength).toBe(contract.limits.maxMessageLength);
  });

  it.each([undefined, {}, { websocketUrl: 'https://not-a-socket.example' }])(
    'refuses %j',
    (raw) => {
      // Assess
      expect(() => readChatConfig(raw)).toThrow('websocketUrl');
    },
  );
});
