import { describe, expect, it } from 'vitest';
import { loadProfile, saveProfile } from '../src/profile.ts';

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
