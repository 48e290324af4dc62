/** The chat's frames as both load baselines and the load generator read and write them. */

/**
 * Reads a frame's fields.
 * @param frame - a text frame
 * @returns the fields of a JSON object; none for anything else, malformed JSON included
 */
export function jsonFields(frame: string): Readonly<Record<string, unknown>> {
  try {
    const parsed: unknown = JSON.parse(frame);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Builds the event both load baselines send for a client frame (`{"message","senderName"}` in,
 * `{"type":"message",...,"sentAt"}` out), with the backend's fields.
 * @param frame - the client's text frame
 * @returns the serialized event, or undefined for a frame that is not a chat message
 */
export function toOutgoingEvent(frame: string): string | undefined {
  const { message, senderName } = jsonFields(frame);
  if (typeof message !== 'string' || message.trim() === '') return undefined;
  return JSON.stringify({
    type: 'message',
    message,
    senderName: typeof senderName === 'string' ? senderName : '',
    sentAt: new Date().toISOString(),
  });
}
