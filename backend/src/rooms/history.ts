/**
 * History and presence frames: pure builders of what a joining client receives. A room's history
 * (up to HISTORY_MAX_MESSAGES messages of up to MAX_MESSAGE_LENGTH characters) can be larger than
 * one WebSocket message may be (PostToConnection's `Data`, 128 KiB), so it is split into as many
 * frames as needed, each numbered, oldest messages first. Every frame says the room's serial when
 * it was read (`head`) and the oldest serial still kept (`oldest`): the reply covers every serial
 * after the client's `after` up to `head`, and a serial in that range that is not in it was never
 * committed or has expired.
 */
import contract from '../../../contract/contract.json' with { type: 'json' };
import type { HistoryStart } from '../protocol/message.ts';
import type { RoomSnapshot } from './room-store.ts';

/** PostToConnection's limit on `Data`: 128 KiB. */
const MAX_FRAME_BYTES = contract.apiGateway.maxMessageBytes;

/**
 * The history frames for a client.
 * @param room - the room
 * @param kept - its kept messages (oldest first, each its serialised event), serial and oldest
 *   kept serial
 * @param after - only messages with a greater serial (protocol 3) or a greater id (protocol 2):
 *   what a reconnecting client missed
 * @param maxBytes - the most UTF-8 bytes per frame
 * @returns the frames, at least one (an empty history is one frame with no messages), and how
 *   many messages they carry
 */
export function historyFrames(
  room: string,
  kept: Pick<RoomSnapshot, 'messages' | 'head' | 'oldest'>,
  after: HistoryStart,
  maxBytes = MAX_FRAME_BYTES,
): { readonly frames: string[]; readonly messages: number } {
  const wanted =
    after === undefined
      ? kept.messages
      : kept.messages.filter((message) =>
          typeof after === 'number' ? message.seq > after : message.id > after,
        );
  const serials = { head: kept.head, oldest: kept.oldest };
  // The largest envelope a frame can have: part numbers of up to 4 digits.
  const envelope = Buffer.byteLength(frame(room, [], 9999, 9999, serials));
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
    frames: groups.map((events, index) => frame(room, events, index + 1, groups.length, serials)),
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

function frame(
  room: string,
  events: readonly string[],
  part: number,
  parts: number,
  serials: { readonly head: number; readonly oldest: number },
): string {
  // The events are already JSON: they go in as they were broadcast, byte for byte.
  return `{"type":"history","room":${JSON.stringify(room)},"messages":[${events.join(',')}],"part":${part},"parts":${parts},"head":${serials.head},"oldest":${serials.oldest}}`;
}
