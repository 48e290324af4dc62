import { describe, expect, it } from 'vitest';
import {
  failedNote,
  incompleteNote,
  lostMessagesNote,
  sendingNote,
  sentReceipt,
} from '../src/delivery.ts';

describe('delivery words', () => {
  it('says a message is sending, or waiting for the connection when there is none', () => {
    // Assess
    expect(sendingNote(true)).toBe('Sending…');
    expect(sendingNote(false)).toBe('Waiting for the connection…');
    expect(sentReceipt).toBe('Sent');
  });

  it.each([
    ['no_answer', 'Failed to send: the server did not answer.'],
    ['internal_error', 'Failed to send: the server could not take it.'],
    ['message_too_long', 'Failed to send: the server refused it.'],
  ])('says why a message failed (%s)', (code, note) => {
    // Assess
    expect(failedNote(code)).toBe(note);
  });

  it('counts the members a message could not reach', () => {
    // Assess
    expect(incompleteNote(1)).toBe('Reached only part of the room: 1 member could not be reached.');
    expect(incompleteNote(3)).toBe(
      'Reached only part of the room: 3 members could not be reached.',
    );
  });

  it('says how many earlier messages the room no longer keeps', () => {
    // Assess
    expect(lostMessagesNote(1)).toBe(
      'An earlier message is missing here: the room no longer keeps it.',
    );
    expect(lostMessagesNote(4)).toBe(
      'Up to 4 earlier messages are missing here: the room no longer keeps them.',
    );
  });
});
