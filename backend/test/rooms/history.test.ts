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
    return { id, event: JSON.stringify({ type: 'message', id, room: 'r', message: text }) };
  };

  it('is one frame with no messages for an empty room', () => {
    expect(historyFrames('r', [], undefined).frames).toEqual([
      '{"type":"history","room":"r","messages":[],"part":1,"parts":1}',
    ]);
  });

  it('splits 50 messages of 2,000 three-byte characters into frames under 128 KiB, in order', () => {
    // Prepare: each event is over 6 KB of UTF-8; 50 of them are over 300 KB
    const messages = Array.from({ length: 50 }, (_, index) => message(index, '€'.repeat(2000)));

    // Act
    const { frames, messages: count } = historyFrames('r', messages, undefined);

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
      });
    }
    expect(parsed.flatMap((frame) => frame.messages.map((event) => event.id))).toEqual(
      messages.map((kept) => kept.id),
    );
  });

  it('keeps only what came after the given id', () => {
    const messages = [message(1, 'a'), message(2, 'b'), message(3, 'c')];

    const { frames } = historyFrames('r', messages, messages[0]?.id);

    expect(
      (JSON.parse(frames[0] ?? '') as { messages: { message: string }[] }).messages.map(
        (event) => event.message,
      ),
    ).toEqual(['b', 'c']);
  });

  it('writes the presence event', () => {
    expect(JSON.parse(presenceFrame('r', 3))).toEqual({ type: 'presence', room: 'r', count: 3 });
  });
});
