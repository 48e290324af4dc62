/**
 * Watches the raw bytes of a client's WebSocket stream and reports the first frame whose payload
 * exceeds API Gateway's 32 KB frame quota. `ws` only limits whole messages (`maxPayload`, used for
 * the 128 KB message quota), while AWS limits each frame too: a 128 KB message is allowed only when
 * split into frames of at most 32 KB.
 */
export class FrameSizeGuard {
  readonly #maxFramePayload: number;
  readonly #onOversizedFrame: () => void;
  /** Header bytes of the frame being read (at most 2 + 8 length + 4 mask). */
  readonly #header = Buffer.alloc(14);
  #headerLength = 0;
  /** How many header bytes this frame has; 2 until the second byte is known. */
  #headerNeeded = 2;
  /** Payload bytes of the current frame still to skip. */
  #payloadRemaining = 0;
  #tripped = false;

  constructor(maxFramePayload: number, onOversizedFrame: () => void) {
    this.#maxFramePayload = maxFramePayload;
    this.#onOversizedFrame = onOversizedFrame;
  }

  /** Feeds the next chunk read from the socket. */
  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.#tripped) {
      if (this.#payloadRemaining > 0) {
        const skipped = Math.min(this.#payloadRemaining, chunk.length - offset);
        this.#payloadRemaining -= skipped;
        offset += skipped;
        continue;
      }
      this.#header[this.#headerLength++] = chunk[offset++] as number;
      if (this.#headerLength === 2) this.#headerNeeded = headerSize(this.#header);
      if (this.#headerLength === this.#headerNeeded) this.#endOfHeader();
    }
  }

  #endOfHeader(): void {
    const length7 = (this.#header[1] as number) & 0x7f;
    let payloadLength = length7;
    if (length7 === 126) payloadLength = this.#header.readUInt16BE(2);
    if (length7 === 127) payloadLength = Number(this.#header.readBigUInt64BE(2));
    this.#headerLength = 0;
    this.#headerNeeded = 2;
    if (payloadLength > this.#maxFramePayload) {
      this.#tripped = true;
      this.#onOversizedFrame();
      return;
    }
    this.#payloadRemaining = payloadLength;
  }
}

function headerSize(firstTwoBytes: Buffer): number {
  const second = firstTwoBytes[1] as number;
  const length7 = second & 0x7f;
  const extended = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
  const mask = second & 0x80 ? 4 : 0;
  return 2 + extended + mask;
}
