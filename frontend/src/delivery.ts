/**
 * What the page says about our own messages on their way: the words of each delivery state, and
 * the notes a delivery report or a catch-up adds. Words, not colours, carry every state.
 */

/** The note under a message still on its way. */
export function sendingNote(connected: boolean): string {
  return connected ? 'Sending…' : 'Waiting for the connection…';
}

/** Beside the time of a message the room accepted. */
export const sentReceipt = 'Sent';

/** The note under a message that failed (`code`: the server's error code, or `no_answer`). */
export function failedNote(code: string): string {
  switch (code) {
    case 'no_answer':
      return 'Failed to send: the server did not answer.';
    case 'internal_error':
      return 'Failed to send: the server could not take it.';
    default:
      return 'Failed to send: the server refused it.';
  }
}

/** The note under a message the room accepted but could not bring to `unreached` members. */
export function incompleteNote(unreached: number): string {
  const members = unreached === 1 ? '1 member' : `${unreached} members`;
  return `Reached only part of the room: ${members} could not be reached.`;
}

/** The line where messages were that the room no longer keeps (`lost`: at most that many). */
export function lostMessagesNote(lost: number): string {
  return lost === 1
    ? 'An earlier message is missing here: the room no longer keeps it.'
    : `Up to ${lost} earlier messages are missing here: the room no longer keeps them.`;
}
