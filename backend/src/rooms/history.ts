/**
 * History and presence frames: pure builders of what a joining client receives. A room's history
 * (up to HISTORY_MAX_MESSAGES messages of up to MAX_MESSAGE_LENGTH characters) can be larger than
 * one WebSocket message may be (PostToConnection's `Data`, 128 KiB), so it is split into as many
 * frames as needed, each numbered, oldest messages first.
 */
import contract from '../../../contract/contract.json' with { type: 'json' };
import type { KeptMessage } from './room-store.ts';

/** PostToConnection's limit on `Data`: 128 KiB. */
const MAX_FRAME_BYTES = contract.apiGateway.maxMessageBytes;

/**
 * The history frames for a client.
 * @param room - the room
 * @param messages - kept messages, oldest first, each its serialised event
 * @param after - only messages with a greater id (what a reconnecting client missed)
 * @param maxBytes - the most UTF-8 bytes per frame
 * @returns the frames, at least one (an empty history is one frame with no messages), and how
 *   many messages they carry
 */
export function historyFrames(
  room: string,
  messages: readonly KeptMessage[],
  after: string | undefined,
  maxBytes = MAX_FRAME_BYTES,
): { readonly frames: string[]; readonly messages: number } {
  const wanted = after === undefined ? messages : messages.filter((message) => message.id > after);
  // The largest envelope a frame can have: part numbers of up to 4 digits.
  const envelope = Buffer.byteLength(frame(room, [], 9999, 9999));
  const groups: string[][] = [[]];
  let bytes = envelope;
  for (const { event } of wanted) {
    const size = Buffer.byteLength(event) + 1;
    const current = groups.at(-1) as string[];
    if (current.length > 0 && bytes + size > maxBytes) {
      groups.push([event]);
      bytes = envelope + size;
    } else {
      current.push(event);
      bytes += size;
    }
  }
  return {
    frames: groups.map((events, index) => frame(room, events, index + 1, groups.length)),
    messages: wanted.length,
  };
}

/**
 * The head-count event.
 * @param room - the room
 * @param count - its members
 * @returns the serialised event
 */
export function presenceFrame(room: string, count: number): string {
  return JSON.stringify({ type: 'presence', room, count });
}

function frame(room: string, events: readonly string[], part: number, parts: number): string {
  // The events are already JSON: they go in as they were broadcast, byte for byte.
  return `{"type":"history","room":${JSON.stringify(room)},"messages":[${events.join(',')}],"part":${part},"parts":${parts}}`;
}
