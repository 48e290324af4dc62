/**
 * History and presence frames: a room's kept messages split into frames under the WebSocket
 * message limit, oldest first, and the head-count event.
 */
import { describe, expect, it } from 'vitest';
import { historyFrames, presenceFrame } from '../../src/rooms/history.ts';
import type { KeptMessage } from '../../src/rooms/room-store.ts';

describe('history frames', () => {
  const message = (index: number, text: string): KeptMessage => {
    const id = `01KB${String(index).padStart(22, '0')}`;
    return {
      id,
      seq: index + 1,
      event: JSON.stringify({ type: 'message', id, seq: index + 1, room: 'r', message: text }),
    };
  };
  /** A room whose kept messages are all it has had. */
  const keeping = (messages: KeptMessage[]) => ({
    messages,
    head: messages.at(-1)?.seq ?? 0,
    oldest: messages[0]?.seq ?? 1,
  });

  it('is one frame with no messages for an empty room', () => {
    expect(historyFrames('r', keeping([]), undefined).frames).toEqual([
      '{"type":"history","room":"r","messages":[],"part":1,"parts":1,"head":0,"oldest":1}',
    ]);
  });

  it('splits 50 messages of 2,000 three-byte characters into frames under 128 KiB, in order', () => {
    // Prepare: each event is over 6 KB of UTF-8; 50 of them are over 300 KB
    const messages = Array.from({ length: 50 }, (_, index) => message(index, '€'.repeat(2000)));

    // Act
    const { frames, messages: count } = historyFrames('r', keeping(messages), undefined);

    // Assess
    expect(count).toBe(50);
    expect(frames.length).toBeGreaterThanOrEqual(3);
    const parsed = frames.map(
      (frame) => JSON.parse(frame) as { messages: { id: string }[]; part: number; parts: number },
    );
    for (const [index, frame] of frames.entries()) {
      expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(128 * 1024);
      expect(parsed[index]).toMatchObject({
        type: 'history',
        room: 'r',
        part: index + 1,
        parts: frames.length,
        head: 50,
        oldest: 1,
      });
    }
    expect(parsed.flatMap((frame) => frame.messages.map((event) => event.id))).toEqual(
      messages.map((kept) => kept.id),
    );
  });

  it('keeps only what came after the given id', () => {
    const messages = [message(1, 'a'), message(2, 'b'), message(3, 'c')];

    const { frames } = historyFrames('r', keeping(messages), messages[0]?.id);

    expect(
      (JSON.parse(frames[0] ?? '') as { messages: { message: string }[] }).messages.map(
        (event) => event.message,
      ),
    ).toEqual(['b', 'c']);
  });

  it('keeps only what came after the given serial, and says what the reply covers', () => {
    // Prepare: serials 3 to 5 kept, 6 taken by a message whose commit failed
    const messages = [message(2, 'c'), message(3, 'd'), message(4, 'e')];

    // Act
    const { frames, messages: count } = historyFrames('r', { messages, head: 6, oldest: 3 }, 3);

    // Assess
    const frame = JSON.parse(frames[0] ?? '') as {
      messages: { seq: number; message: string }[];
      head: number;
      oldest: number;
    };
    expect(count).toBe(2);
    expect(frame.messages.map((event) => [event.seq, event.message])).toEqual([
      [4, 'd'],
      [5, 'e'],
    ]);
    expect(frame).toMatchObject({ head: 6, oldest: 3 });
  });

  it('sends everything kept after serial 0', () => {
    const messages = [message(0, 'a'), message(1, 'b')];

    expect(historyFrames('r', keeping(messages), 0).messages).toBe(2);
  });

  it('writes the presence event', () => {
    expect(JSON.parse(presenceFrame('r', 3))).toEqual({ type: 'presence', room: 'r', count: 3 });
  });
});
