/**
 * The byte-level frame parser that enforces API Gateway's 32 KB frame quota, fed the bytes a
 * client writes (RFC 6455 section 5.2): masked and unmasked frames, every length encoding,
 * fragmented messages, frames split across chunks at every offset, and oversized frames.
 */
import { describe, expect, it } from 'vitest';
import { FrameSizeGuard } from '../src/frame-size-guard.ts';
import { MAX_FRAME_BYTES } from '../src/websocket-gateway.ts';

const TEXT = 0x1;
const CONTINUATION = 0x0;
const PING = 0x9;
const MASK_KEY = [0x37, 0xfa, 0x21, 0x3d];

interface FrameOptions {
  readonly fin?: boolean;
  readonly opcode?: number;
  readonly masked?: boolean;
}

/** A frame's header announcing `length` payload bytes, with the minimal length encoding. */
function frameHeader(length: number, options: FrameOptions = {}): Buffer {
  const { fin = true, opcode = TEXT, masked = true } = options;
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + (masked ? 4 : 0));
  header[0] = (fin ? 0x80 : 0) | opcode;
  header[1] = (masked ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) header.writeUInt16BE(length, 2);
  if (lengthBytes === 8) header.writeBigUInt64BE(BigInt(length), 2);
  if (masked) header.set(MASK_KEY, 2 + lengthBytes);
  return header;
}

/** A whole frame; a client's frames are masked, as browsers and `ws` send them. */
function frame(payload: Buffer | string, options: FrameOptions = {}): Buffer {
  const bytes = Buffer.from(payload);
  const masked = options.masked ?? true;
  const body = masked ? bytes.map((byte, index) => byte ^ (MASK_KEY[index % 4] as number)) : bytes;
  return Buffer.concat([frameHeader(bytes.length, options), body]);
}

/** Feeds `chunks` to a fresh guard and says how often it tripped. */
function trips(maxFramePayload: number, ...chunks: Buffer[]): number {
  let count = 0;
  const guard = new FrameSizeGuard(maxFramePayload, () => count++);
  for (const chunk of chunks) guard.push(chunk);
  return count;
}

describe('FrameSizeGuard', () => {
  it.each([
    ['a 7-bit length', 125],
    ['a 16-bit length', 126],
    ['a 16-bit length at the quota', MAX_FRAME_BYTES],
  ])('lets a masked frame with %s through', (_name, length) => {
    expect(trips(MAX_FRAME_BYTES, frame('x'.repeat(length)))).toBe(0);
  });

  it.each([
    ['a 16-bit length', MAX_FRAME_BYTES + 1],
    ['a 64-bit length', 65_536],
    ['a 64-bit length beyond 4 GiB', 2 ** 40],
  ])('trips on the header of a frame with %s over the quota', (_name, length) => {
    // The payload never needs to arrive: the header alone announces it.
    expect(trips(MAX_FRAME_BYTES, frameHeader(length))).toBe(1);
  });

  it('reads unmasked frames too', () => {
    expect(trips(200, frame('a'.repeat(150), { masked: false }), frame('b'.repeat(10)))).toBe(0);
    expect(trips(200, frame('a'.repeat(150), { masked: false }), frameHeader(201))).toBe(1);
  });

  it('skips each payload exactly, so the next header is read where it starts', () => {
    // Payload bytes that look like a huge frame header must not be taken for one.
    const lookalike = Buffer.concat([frameHeader(2 ** 40, { masked: false }), Buffer.alloc(50)]);
    const stream = Buffer.concat([frame(lookalike, { masked: false }), frame(lookalike)]);
    expect(trips(100, stream)).toBe(0);
    expect(trips(100, stream, frameHeader(101))).toBe(1);
  });

  it('finds an oversized frame wherever the chunks split the stream', () => {
    // Prepare: a small frame, a 16-bit-length frame, a ping, then one byte too many.
    const stream = Buffer.concat([
      frame('hello'),
      frame('y'.repeat(300)),
      frame('', { opcode: PING }),
      frameHeader(1001),
    ]);
    // Act, Assess: split in two at every offset, and one byte at a time.
    for (let split = 0; split <= stream.length; split++) {
      expect(trips(1000, stream.subarray(0, split), stream.subarray(split))).toBe(1);
    }
    const bytes = [...stream].map((byte) => Buffer.from([byte]));
    expect(trips(1000, ...bytes)).toBe(1);
  });

  it('splits a 64-bit length header across chunks', () => {
    const header = frameHeader(70_000);
    for (let split = 1; split < header.length; split++) {
      expect(trips(65_536, header.subarray(0, split), header.subarray(split))).toBe(1);
      expect(trips(70_000, header.subarray(0, split), header.subarray(split))).toBe(0);
    }
  });

  it('limits each frame of a fragmented message, not the message', () => {
    // Prepare: a 100 KB text message in four 25 KB frames, with a ping between two of them.
    const part = 'z'.repeat(25 * 1024);
    const message = Buffer.concat([
      frame(part, { fin: false, opcode: TEXT }),
      frame(part, { fin: false, opcode: CONTINUATION }),
      frame('', { opcode: PING }),
      frame(part, { fin: false, opcode: CONTINUATION }),
      frame(part, { fin: true, opcode: CONTINUATION }),
    ]);
    // Act, Assess: the whole message passes, in one chunk or in 4 KB chunks.
    expect(trips(MAX_FRAME_BYTES, message)).toBe(0);
    const chunks: Buffer[] = [];
    for (let start = 0; start < message.length; start += 4096) {
      chunks.push(message.subarray(start, start + 4096));
    }
    expect(trips(MAX_FRAME_BYTES, ...chunks)).toBe(0);
  });

  it('trips on an oversized continuation frame', () => {
    const message = Buffer.concat([
      frame('a'.repeat(1000), { fin: false, opcode: TEXT }),
      frameHeader(MAX_FRAME_BYTES + 1, { fin: true, opcode: CONTINUATION }),
    ]);
    expect(trips(MAX_FRAME_BYTES, message)).toBe(1);
  });

  it('reports once, and ignores what follows', () => {
    const stream = Buffer.concat([frameHeader(5000), Buffer.alloc(5000), frameHeader(6000)]);
    expect(trips(1000, stream, frameHeader(7000))).toBe(1);
  });
});
