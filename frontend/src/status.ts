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
