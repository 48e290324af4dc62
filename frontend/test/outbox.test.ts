import { describe, expect, it } from 'vitest';
import { Outbox } from '../src/outbox.ts';

function filled(...ids: string[]): Outbox {
  const outbox = new Outbox();
  for (const id of ids) outbox.enqueue({ id, frame: `frame-${id}` });
  return outbox;
}

describe('Outbox', () => {
  it('sends waiting messages in the order they were written', () => {
    // Prepare
    const outbox = filled('a', 'b', 'c');
    const wire: string[] = [];

    // Act
    const sent = outbox.flush((frame) => wire.push(frame) > 0);

    // Assess
    expect(sent).toEqual(['a', 'b', 'c']);
    expect(wire).toEqual(['frame-a', 'frame-b', 'frame-c']);
    expect(outbox.size).toBe(0);
  });

  it('keeps what the socket would not take, and sends it next time without repeating the rest', () => {
    // Prepare
    const outbox = filled('a', 'b', 'c');
    const wire: string[] = [];
    let open = true;

    // Act: the socket closes after the first frame
    const first = outbox.flush((frame) => {
      if (!open) return false;
      wire.push(frame);
      open = false;
      return true;
    });
    const second = outbox.flush((frame) => wire.push(frame) > 0);

    // Assess
    expect(first).toEqual(['a']);
    expect(second).toEqual(['b', 'c']);
    expect(wire).toEqual(['frame-a', 'frame-b', 'frame-c']);
  });

  it('keeps a message whose send threw, so it is not lost', () => {
    // Prepare
    const outbox = filled('a');

    // Act
    const flush = (): string[] =>
      outbox.flush(() => {
        throw new Error('InvalidStateError');
      });

    // Assess
    expect(flush).toThrow('InvalidStateError');
    expect(outbox.size).toBe(1);
  });
});
