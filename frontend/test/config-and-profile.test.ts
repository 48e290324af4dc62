import { describe, expect, it } from 'vitest';
import contract from '../../contract/contract.json' with { type: 'json' };
import { readChatConfig } from '../src/config.ts';
import { loadProfile, saveProfile } from '../src/profile.ts';

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

/** The part of `Storage` the profile uses, backed by a Map. */
function memoryStorage(initial: Record<string, string> = {}): Storage {
  const items = new Map(Object.entries(initial));
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

describe('profile storage', () => {
  it('remembers the name and email across visits', () => {
    // Prepare
    const storage = memoryStorage();

    // Act
    saveProfile(storage, { name: 'Ada', email: 'ada@example.com' });
    const profile = loadProfile(storage);

    // Assess
    expect(profile).toEqual({ name: 'Ada', email: 'ada@example.com' });
  });

  it('starts empty when storage is corrupt, missing or blocked', () => {
    // Prepare
    const blocked = memoryStorage();
    blocked.getItem = () => {
      throw new Error('SecurityError');
    };

    // Act
    const profiles = [
      loadProfile(memoryStorage({ 'awsome-chat.profile': '{not json' })),
      loadProfile(undefined),
      loadProfile(blocked),
    ];

    // Assess
    for (const profile of profiles) expect(profile).toEqual({ name: '', email: '' });
  });
});
