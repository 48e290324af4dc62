import type { ConnectionState } from './connection.ts';

/** How the header shows a connection state: a short label, a tone for the dot, the button's action. */
export interface StatusView {
  readonly label: string;
  readonly tone: 'online' | 'pending' | 'offline';
  /** What the connect/disconnect button does in this state. */
  readonly action: 'Connect' | 'Disconnect';
}

/** The words and colours for a connection state. */
export function describeState(state: ConnectionState): StatusView {
  switch (state.kind) {
    case 'connected':
      return { label: 'Connected', tone: 'online', action: 'Disconnect' };
    case 'connecting':
      return {
        label: state.attempt === 0 ? 'Connecting…' : 'Reconnecting…',
        tone: 'pending',
        action: 'Disconnect',
      };
    case 'waiting':
      return {
        label: `Reconnecting in ${Math.max(1, Math.round(state.delayMs / 1000))} s…`,
        tone: 'pending',
        action: 'Disconnect',
      };
    case 'disconnected':
      return { label: 'Disconnected', tone: 'offline', action: 'Connect' };
  }
}

/** After this many failed attempts in a row the page says so in the conversation, once per outage. */
export const stillTryingAfterAttempts = 3;

/**
 * A system line for a state, when the state is news worth a line in the conversation: only the
 * moment an outage outlasts a few retries (the header shows every retry).
 *
 * @param signedIn - whether the page signs in: a server that keeps refusing a renewed token looks
 *   the same to a browser as one out of reach, and signing in anew is then worth a try
 */
export function outageNote(state: ConnectionState, signedIn = false): string | undefined {
  if (state.kind !== 'waiting' || state.attempt !== stillTryingAfterAttempts) return undefined;
  const note = 'Still cannot reach the chat server. Retrying in the background…';
  return signedIn ? `${note} If this goes on, sign out and sign in again.` : note;
}
