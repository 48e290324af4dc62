/**
 * The history part of the rooms benchmark, as pure functions: the worst-case messages it sends
 * (every UTF-16 code unit as many UTF-8 bytes as a valid message allows), and the check of what a
 * joining client received against what was sent.
 */
import { jsonFields } from '../load/chat-event.ts';

/**
 * Characters of three UTF-8 bytes (U+0800 to U+FFFF), the most one UTF-16 code unit can take in
 * a valid message: a message's limit counts code units, a character beyond U+FFFF is two units of
 * four bytes, JSON escapes only quotes, backslashes and controls (two bytes for one unit; other
 * controls are refused), and unpaired surrogates (six bytes escaped) are refused. All are visible,
 * unchanged by NFC and never combine with a neighbour, so the server keeps every one of them.
 */
const THREE_BYTE_CHARACTERS = ['€', '語', 'あ', '한', 'ह', '∑'];
/** The first character carries the message's number: CJK ideographs from U+4E00 on. */
const NUMBERED_FROM = 0x4e00;
const NUMBERED_COUNT = 0x9fff - NUMBERED_FROM + 1;

/**
 * The text of the `sequence`-th history message: `length` code units of three bytes each.
 * @param sequence - the message's number, 0 to 20,991 (written in its first character)
 * @param length - code units, e.g. the largest message allowed
 * @returns the text
 * @throws RangeError for a number that does not fit in one character
 */
export function worstCaseText(sequence: number, length: number): string {
  if (!Number.isInteger(sequence) || sequence < 0 || sequence >= NUMBERED_COUNT) {
    throw new RangeError(`message number ${sequence} is not between 0 and ${NUMBERED_COUNT - 1}`);
  }
  const filler = Array.from(
    { length: length - 1 },
    (_, index) => THREE_BYTE_CHARACTERS[index % THREE_BYTE_CHARACTERS.length],
  );
  return `${String.fromCharCode(NUMBERED_FROM + sequence)}${filler.join('')}`;
}

/** A message that was sent for the history, in the order sent. */
export interface SentMessage {
  /** The id its room's members received it with. */
  readonly id: string;
  readonly text: string;
}

/** What one joining client received, judged. */
export interface HistoryCheck {
  /** History frames received. */
  readonly frames: number;
  /** UTF-8 bytes of each, in the order received. */
  readonly frameBytes: readonly number[];
  /** Messages the frames carried in all. */
  readonly messages: number;
  /** UTF-8 bytes of those messages' events together, as the frames carried them. */
  readonly messageBytes: number;
  /** Every sent message arrived once, with its id and text, in the order sent, and nothing else. */
  readonly completeInOrder: boolean;
  /** The frames say `part` 1, 2, … of one `parts` equal to their number, in that order. */
  readonly partsNumbered: boolean;
  /** No frame is larger than the limit. */
  readonly withinLimit: boolean;
  /**
   * No frame could have carried the next frame's first message as well without passing the
   * limit: in-order frames that each hold as much as fits are the fewest the history fits in.
   */
  readonly fewestFrames: boolean;
}

/**
 * Checks the history frames a joining client received.
 * @param frames - the text of each `history` frame, in the order received
 * @param sent - the messages sent to the room, in the order sent
 * @param maxFrameBytes - the most UTF-8 bytes a frame may have
 * @returns the verdicts and the frames' sizes
 */
export function checkHistory(
  frames: readonly string[],
  sent: readonly SentMessage[],
  maxFrameBytes: number,
): HistoryCheck {
  const frameBytes = frames.map((frame) => Buffer.byteLength(frame));
  const parsed = frames.map((frame) => jsonFields(frame));
  const messagesOf = (fields: Readonly<Record<string, unknown>>): Record<string, unknown>[] =>
    Array.isArray(fields.messages) ? (fields.messages as Record<string, unknown>[]) : [];
  const received = parsed.flatMap(messagesOf);
  const completeInOrder =
    received.length === sent.length &&
    received.every(
      (message, index) => message.id === sent[index]?.id && message.message === sent[index]?.text,
    );
  const partsNumbered = parsed.every(
    (fields, index) =>
      fields.type === 'history' && fields.part === index + 1 && fields.parts === frames.length,
  );
  const fewestFrames = parsed.every((_, index) => {
    const next = messagesOf(parsed[index + 1] ?? {})[0];
    if (next === undefined) return true;
    // The next frame's first message, and the comma before it, would not have fitted here.
    const separator = messagesOf(parsed[index] ?? {}).length > 0 ? 1 : 0;
    const size = (frameBytes[index] ?? 0) + separator + Buffer.byteLength(JSON.stringify(next));
    return size > maxFrameBytes;
  });
  return {
    frames: frames.length,
    frameBytes,
    messages: received.length,
    messageBytes: received.reduce(
      (sum, message) => sum + Buffer.byteLength(JSON.stringify(message)),
      0,
    ),
    completeInOrder,
    partsNumbered,
    withinLimit: frameBytes.every((bytes) => bytes <= maxFrameBytes),
    fewestFrames,
  };
}
