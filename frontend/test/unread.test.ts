import { describe, expect, it } from 'vitest';
import { titleWithUnread, UnreadCounter } from '../src/unread.ts';

describe('UnreadCounter', () => {
  it('counts messages only while the tab is hidden, and clears when it is shown', () => {
    // Prepare
    const unread = new UnreadCounter(false);

    // Act
    unread.messageArrived();
    const whileVisible = unread.count;
    unread.visibilityChanged(true);
    unread.messageArrived();
    unread.messageArrived();
    unread.messageArrived();
    const whileHidden = unread.count;
    unread.visibilityChanged(false);

    // Assess
    expect(whileVisible).toBe(0);
    expect(whileHidden).toBe(3);
    expect(unread.count).toBe(0);
  });

  it('starts counting at once in a tab opened in the background, and forgets on reset', () => {
    // Prepare
    const unread = new UnreadCounter(true);

    // Act
    unread.messageArrived();
    const before = unread.count;
    unread.reset();
    unread.messageArrived();

    // Assess
    expect(before).toBe(1);
    expect(unread.count).toBe(1);
  });
});

describe('titleWithUnread', () => {
  it.each([
    [0, 'AWSome Chat'],
    [3, '(3) AWSome Chat'],
    [99, '(99) AWSome Chat'],
    [100, '(99+) AWSome Chat'],
  ])('shows %i unread as %j', (count, title) => {
    // Assess
    expect(titleWithUnread('AWSome Chat', count)).toBe(title);
  });
});
