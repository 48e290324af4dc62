import { describe, expect, it } from 'vitest';
import { historyFrames } from '../../../../backend/src/rooms/history.ts';
import contract from '../../../../contract/contract.json' with { type: 'json' };

const MAX_FRAME_BYTES = contract.apiGateway.maxMessageBytes;

import { parseClientFrame } from '../../../../backend/src/protocol/message.ts';
import { checkHistory, type SentMessage, worstCaseText } from '../../src/rooms/history-check.ts';

const { maxMessageLength } = contract.limits;

/** n messages as the server would keep them: an id and the serialised event. */
function keptMessages(
  n: number,
  length: number,
): { sent: SentMessage[]; kept: { id: string; event: string }[] } {
  const sent = Array.from({ length: n }, (_, index) => ({
    id: `01KB${String(index).padStart(22, '0')}`,
    text: worstCaseText(index, length),
  }));
  const kept = sent.map(({ id, text }) => ({
    id,
    event: JSON.stringify({
      type: 'message',
      id,
      room: 'r',
      message: text,
      senderName: '',
      senderGravatar: '',
      sentAt: new Date(0).toISOString(),
    }),
  }));
  return { sent, kept };
}

/** The backend's history frames of messages kept with serials 1, 2, 3… in the given order. */
function framesOf(kept: readonly { id: string; event: string }[]): string[] {
  const messages = kept.map((message, index) => ({ ...message, seq: index + 1 }));
  return historyFrames('r', { messages, head: kept.length, oldest: 1 }, undefined).frames;
}

describe('worstCaseText', () => {
  it('is the longest message the server accepts, at three UTF-8 bytes per code unit, unchanged by validation', () => {
    // Act
    const texts = [0, 1, 49, 499].map((sequence) => worstCaseText(sequence, maxMessageLength));

    // Assess
    for (const text of texts) {
      expect(text).toHaveLength(maxMessageLength);
      expect(Buffer.byteLength(text)).toBe(3 * maxMessageLength);
      const frame = parseClientFrame(JSON.stringify({ message: text }), maxMessageLength);
      expect(frame).toMatchObject({ kind: 'message', chatMessage: { message: text } });
    }
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('refuses a number its first character cannot carry', () => {
    expect(() => worstCaseText(-1, 10)).toThrow(RangeError);
    expect(() => worstCaseText(20_992, 10)).toThrow(RangeError);
  });
});

describe('checkHistory', () => {
  it("passes the backend's own frames of 50 worst-case messages: three frames, each within the limit", () => {
    // Prepare
    const { sent, kept } = keptMessages(50, maxMessageLength);
    const frames = framesOf(kept);

    // Act
    const check = checkHistory(frames, sent, MAX_FRAME_BYTES);

    // Assess
    expect(check).toMatchObject({
      frames: 3,
      messages: 50,
      completeInOrder: true,
      partsNumbered: true,
      withinLimit: true,
      fewestFrames: true,
    });
    expect(check.frameBytes).toEqual(frames.map((frame) => Buffer.byteLength(frame)));
    expect(check.messageBytes).toBe(
      kept.reduce((sum, { event }) => sum + Buffer.byteLength(event), 0),
    );
  });

  it('fails a history that lost a message, repeated one or changed the order', () => {
    // Prepare
    const { sent, kept } = keptMessages(6, 100);
    const frame = (messages: typeof kept): string => framesOf(messages)[0] as string;
    const [first, second, ...rest] = kept as [(typeof kept)[0], (typeof kept)[0]];

    // Act / Assess
    expect(checkHistory([frame(kept.slice(1))], sent, MAX_FRAME_BYTES).completeInOrder).toBe(false);
    expect(
      checkHistory([frame([first, first, ...rest])], sent, MAX_FRAME_BYTES).completeInOrder,
    ).toBe(false);
    expect(
      checkHistory([frame([second, first, ...rest])], sent, MAX_FRAME_BYTES).completeInOrder,
    ).toBe(false);
    expect(checkHistory([frame(kept)], sent, MAX_FRAME_BYTES).completeInOrder).toBe(true);
  });

  it('fails a frame over the limit, more frames than the limit needs, and frames numbered wrong', () => {
    // Prepare: four messages of about 3 KB, in frames of at most 8 KB
    const { sent, kept } = keptMessages(4, 1000);
    const limit = 8 * 1024;
    const split = (groups: number[][]): string[] => {
      const texts = groups.map((group, index) =>
        JSON.stringify({
          type: 'history',
          room: 'r',
          messages: group.map((at) => JSON.parse(kept[at]?.event ?? '{}')),
          part: index + 1,
          parts: groups.length,
        }),
      );
      return texts;
    };

    // Act
    const tight = checkHistory(
      split([
        [0, 1],
        [2, 3],
      ]),
      sent,
      limit,
    );
    const oversized = checkHistory(split([[0, 1, 2], [3]]), sent, limit);
    const wasteful = checkHistory(split([[0], [1, 2], [3]]), sent, limit);
    const misnumbered = checkHistory(
      split([
        [0, 1],
        [2, 3],
      ]).reverse(),
      sent,
      limit,
    );

    // Assess
    expect(tight).toMatchObject({
      withinLimit: true,
      fewestFrames: true,
      partsNumbered: true,
      completeInOrder: true,
    });
    expect(oversized.withinLimit).toBe(false);
    expect(wasteful).toMatchObject({ withinLimit: true, fewestFrames: false });
    expect(misnumbered).toMatchObject({ partsNumbered: false, completeInOrder: false });
  });

  it('counts an empty history as one frame with nothing missing when nothing was sent', () => {
    const frames = framesOf([]);

    expect(checkHistory(frames, [], MAX_FRAME_BYTES)).toMatchObject({
      frames: 1,
      messages: 0,
      completeInOrder: true,
      fewestFrames: true,
    });
  });
});
