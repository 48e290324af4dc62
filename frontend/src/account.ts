/**
 * What the page says about signing in: the line in the profile, its button, the status in the
 * header, and the conversation's note when a sign-in ends by itself. Pure.
 */
import type { SignInState } from './sign-in.ts';
import type { StatusView } from './status.ts';

/** How the profile shows where sign-in stands. */
export interface AccountView {
  /** Who is signed in (`name` is shown apart, emphasised), or why nobody is. */
  readonly text: string;
  /** The signed-in person's name, after `text`. */
  readonly name?: string;
  /** The button beside it; `undefined` while the page is busy signing in or out. */
  readonly action: 'Sign in' | 'Sign out' | undefined;
  /** The header's status while nobody is signed in; `undefined`: the connection's. */
  readonly status?: Pick<StatusView, 'label' | 'tone'>;
  /** A line for the conversation: why a sign-in ended or failed. */
  readonly note?: string;
}

/** The words and the button for a sign-in state. */
export function describeAccount(state: SignInState): AccountView {
  const signedOut = { label: 'Signed out', tone: 'offline' } as const;
  switch (state.kind) {
    case 'checking':
      return {
        text: 'Checking your sign-in…',
        action: undefined,
        status: { label: 'Checking sign-in…', tone: 'pending' },
      };
    case 'redirecting':
      return state.to === 'sign-in'
        ? {
            text: 'Taking you to sign in…',
            action: undefined,
            status: { label: 'Signing in…', tone: 'pending' },
          }
        : {
            text: 'Signing you out…',
            action: undefined,
            status: { label: 'Signing out…', tone: 'pending' },
          };
    case 'signed-in':
      return { text: 'Signed in as', name: state.person.name, action: 'Sign out' };
    case 'signed-out':
      switch (state.reason) {
        case 'not-yet':
          return { text: 'Sign in to chat.', action: 'Sign in', status: signedOut };
        case 'signed-out':
          return {
            text: 'Signed out of this page. Sign in to chat.',
            action: 'Sign in',
            status: signedOut,
            note: 'You signed out.',
          };
        case 'expired': {
          const text = 'Your sign-in has expired. Sign in again to chat.';
          return { text, action: 'Sign in', status: signedOut, note: text };
        }
        case 'refused': {
          const text = 'The chat server did not accept your sign-in. Sign in again to chat.';
          return { text, action: 'Sign in', status: signedOut, note: text };
        }
        case 'sign-in-failed': {
          const why = state.detail === undefined ? '' : ` (${state.detail})`;
          const text = `Sign-in did not complete${why}. Sign in to try again.`;
          return { text, action: 'Sign in', status: signedOut, note: text };
        }
        case 'unavailable': {
          const text =
            'The sign-in service cannot be reached. Check your connection and try again.';
          return { text, action: 'Sign in', status: signedOut, note: text };
        }
      }
  }
}
