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
 */
export function outageNote(state: ConnectionState): string | undefined {
  return state.kind === 'waiting' && state.attempt === stillTryingAfterAttempts
    ? 'Still cannot reach the chat server. Retrying in the background…'
    : undefined;
}
