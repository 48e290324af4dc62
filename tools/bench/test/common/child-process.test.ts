import { describe, expect, it } from 'vitest';
import type { StartChildOptions } from '../../src/common/child-process.ts';
import { startChild } from '../../src/common/child-process.ts';

const child = (args: string[], overrides: Partial<StartChildOptions> = {}): StartChildOptions => ({
  module: new URL('../fixtures/test-child.ts', import.meta.url).href,
  args,
  name: 'the test child',
  ...overrides,
});

function isRunning(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startChild', () => {
  it('starts a child, gets its ready fields, asks it a request and stops it', async () => {
    // Act
    const running = await startChild(child(['serve', '42']));
    const answer = await running.request('answer');
    await running.stop();

    // Assess
    expect(running.ready).toEqual({ answer: 42 });
    expect(answer).toEqual({ answer: 42 });
    expect(isRunning(running.pid)).toBe(false);
  });

  it.each([
    [
      ['serve', 'many'],
      "the test child failed to start: the answer must be a number of at least 0, got 'many'",
    ],
    [
      ['serve'],
      'the test child failed to start: the answer must be a number of at least 0, got nothing',
    ],
    [['dance', '1'], "the behaviour must be one of serve, fail, ignore-stop, got 'dance'"],
  ])('refuses the arguments %j with one clear line', async (args, message) => {
    // Act
    const started = startChild(child(args));

    // Assess: the reason, and no stack trace
    await expect(started).rejects.toThrow(message);
    await expect(started).rejects.toThrow(/^[^\n]*$/);
  });

  it('reports why the child could not start', async () => {
    // Act / Assess
    await expect(startChild(child(['fail', '1']))).rejects.toThrow(
      'the test child failed to start: port 3001 is in use',
    );
  });

  it('rejects a request the child does not know', async () => {
    // Prepare
    const running = await startChild(child(['serve', '1']));

    // Act
    const unknown = running.request('counters');

    // Assess
    await expect(unknown).rejects.toThrow("the test child: no request named 'counters'");
    await running.stop();
  });

  it("hands a request's argument to the answer, and its refusal back as an error", async () => {
    // Prepare
    const running = await startChild(child(['serve', '40']));

    // Act
    const sum = await running.request('add', { value: 2 });
    const refused = running.request('refuse', { value: 2 });

    // Assess
    expect(sum).toEqual({ sum: 42 });
    await expect(refused).rejects.toThrow('the test child: the value makes no sense');
    await running.stop();
  });

  it('kills a child that does not stop when asked', async () => {
    // Prepare
    const running = await startChild(child(['ignore-stop', '1'], { stopTimeoutMs: 200 }));

    // Act
    await running.stop();

    // Assess
    expect(isRunning(running.pid)).toBe(false);
  });
});
