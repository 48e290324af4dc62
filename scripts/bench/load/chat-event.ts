/**
 * Builds the event both load baselines send for a client frame (`{"message","senderName"}` in,
 * `{"type":"message",...,"sentAt"}` out), with the backend's fields.
 * @param frame - the client's text frame
 * @returns the serialized event, or undefined for a frame that is not a chat message
 */
export function toOutgoingEvent(frame: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { message, senderName } = parsed as { message?: unknown; senderName?: unknown };
  if (typeof message !== 'string' || message.trim() === '') return undefined;
  return JSON.stringify({
    type: 'message',
    message,
    senderName: typeof senderName === 'string' ? senderName : '',
    sentAt: new Date().toISOString(),
  });
}
