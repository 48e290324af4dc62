import { describe, expect, it } from 'vitest';
import { describeAccount } from '../src/account.ts';
import type { SignInState } from '../src/sign-in.ts';

describe('describeAccount', () => {
  it('names the signed-in person beside a Sign out button, and leaves the header to the connection', () => {
    // Act
    const view = describeAccount({
      kind: 'signed-in',
      person: { name: 'Alice Liddell', senderId: 'Xk3_9a-QwErTyUiO' },
    });

    // Assess
    expect(view).toEqual({ text: 'Signed in as', name: 'Alice Liddell', action: 'Sign out' });
  });

  it('offers to sign in, saying "Signed out" in the header, with no line for a tab that never signed in', () => {
    // Act
    const view = describeAccount({ kind: 'signed-out', reason: 'not-yet' });

    // Assess
    expect(view).toEqual({
      text: 'Sign in to chat.',
      action: 'Sign in',
      status: { label: 'Signed out', tone: 'offline' },
    });
  });

  it.each([
    [{ kind: 'signed-out', reason: 'expired' }, 'Your sign-in has expired. Sign in again to chat.'],
    [
      { kind: 'signed-out', reason: 'refused' },
      'The chat server did not accept your sign-in. Sign in again to chat.',
    ],
    [
      { kind: 'signed-out', reason: 'sign-in-failed', detail: 'access_denied' },
      'Sign-in did not complete (access_denied). Sign in to try again.',
    ],
    [
      { kind: 'signed-out', reason: 'sign-in-failed' },
      'Sign-in did not complete. Sign in to try again.',
    ],
    [
      { kind: 'signed-out', reason: 'unavailable' },
      'The sign-in service cannot be reached. Check your connection and try again.',
    ],
  ] satisfies [SignInState, string][])(
    'says in the profile and the conversation why %o, with a Sign in button',
    (state, text) => {
      // Act
      const view = describeAccount(state);

      // Assess
      expect(view).toMatchObject({ text, note: text, action: 'Sign in' });
    },
  );

  it('offers no button while checking or on the way to the issuer', () => {
    // Act
    const views = [
      describeAccount({ kind: 'checking' }),
      describeAccount({ kind: 'redirecting', to: 'sign-in' }),
      describeAccount({ kind: 'redirecting', to: 'sign-out' }),
    ];

    // Assess
    expect(views.map((view) => [view.action, view.status?.label])).toEqual([
      [undefined, 'Checking sign-in…'],
      [undefined, 'Signing in…'],
      [undefined, 'Signing out…'],
    ]);
  });
});
