/** What the page remembers about its user between visits, in this browser only. */
export interface Profile {
  readonly name: string;
  /** The Gravatar email as typed. It stays in this browser; only its hash is ever sent. */
  readonly email: string;
}

const storageKey = 'awsome-chat.profile';

/**
 * Loads the saved profile; an empty one when there is none, it is unreadable, or storage is
 * blocked (private windows, strict cookie settings).
 */
export function loadProfile(storage: Storage | undefined): Profile {
  try {
    const saved: unknown = JSON.parse(storage?.getItem(storageKey) ?? 'null');
    if (typeof saved === 'object' && saved !== null) {
      const { name, email } = saved as Record<string, unknown>;
      return {
        name: typeof name === 'string' ? name : '',
        email: typeof email === 'string' ? email : '',
      };
    }
  } catch {
    // Unreadable or blocked storage only costs the user retyping their name.
  }
  return { name: '', email: '' };
}

/** Saves the profile, ignoring storage that is full or blocked for the same reason. */
export function saveProfile(storage: Storage | undefined, profile: Profile): void {
  try {
    storage?.setItem(storageKey, JSON.stringify(profile));
  } catch {
    // See loadProfile: remembering the name is a convenience, not a requirement.
  }
}
