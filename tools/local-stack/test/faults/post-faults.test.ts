/**
 * `failPosts` on a clock the test moves: which posts fail, with what, and for how long.
 */
import { describe, expect, it } from 'vitest';
import { PostFaults } from '../../src/faults/post-faults.ts';

function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 5_000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('PostFaults', () => {
  it('lets every post through when nothing is armed', () => {
    expect(new PostFaults().failureFor('a')).toBeUndefined();
  });

  it('fails posts with 500 InternalServerErrorException by default, until clear()', () => {
    // Prepare
    const faults = new PostFaults();
    const fault = faults.add();
    // Act
    const failures = [faults.failureFor('a'), faults.failureFor('b')];
    faults.clear();
    // Assess
    expect(failures).toEqual([
      { status: 500, errorType: 'InternalServerErrorException', message: 'Internal server error' },
      { status: 500, errorType: 'InternalServerErrorException', message: 'Internal server error' },
    ]);
    expect(fault.injected).toBe(2);
    expect(faults.failureFor('a')).toBeUndefined();
  });

  it('ends after count posts', () => {
    const faults = new PostFaults();
    const fault = faults.add({ count: 2 });
    expect([faults.failureFor('a'), faults.failureFor('a'), faults.failureFor('a')]).toEqual([
      expect.objectContaining({ status: 500 }),
      expect.objectContaining({ status: 500 }),
      undefined,
    ]);
    expect(fault.injected).toBe(2);
  });

  it('ends forMs after it was armed', () => {
    // Prepare
    const clock = manualClock();
    const faults = new PostFaults(clock.now);
    faults.add({ forMs: 8_000 });
    // Act, Assess
    clock.advance(7_999);
    expect(faults.failureFor('a')?.status).toBe(500);
    clock.advance(1);
    expect(faults.failureFor('a')).toBeUndefined();
  });

  it('fails only the given recipients, and counts only their posts', () => {
    const faults = new PostFaults();
    const fault = faults.add({ status: 429, connectionIds: ['slow='], count: 3 });
    expect(faults.failureFor('fast=')).toBeUndefined();
    expect(faults.failureFor('slow=')).toEqual({
      status: 429,
      errorType: 'LimitExceededException',
      message: 'Too Many Requests',
    });
    expect(fault.injected).toBe(1);
  });

  it.each([
    [410, 'GoneException'],
    [403, 'ForbiddenException'],
    [413, 'PayloadTooLargeException'],
    [503, 'InternalServerErrorException'],
    [400, 'BadRequestException'],
  ])("names status %i's error %s, or the one it is given", (status, errorType) => {
    const faults = new PostFaults();
    faults.add({ status });
    expect(faults.failureFor('a')?.errorType).toBe(errorType);
    faults.clear();
    faults.add({ status, errorType: 'ServiceUnavailableException' });
    expect(faults.failureFor('a')?.errorType).toBe('ServiceUnavailableException');
  });

  it('strikes with the first armed fault that covers a post', () => {
    const faults = new PostFaults();
    const first = faults.add({ status: 502, connectionIds: ['x'] });
    const second = faults.add({ status: 500 });
    expect(faults.failureFor('x')?.status).toBe(502);
    expect(faults.failureFor('y')?.status).toBe(500);
    expect([first.injected, second.injected]).toEqual([1, 1]);
  });

  it.each([
    [{ status: 200 }, 'failPosts: status must be an error status (400-599), got 200'],
    [{ count: 0 }, 'failPosts: count must be a positive whole number, got 0'],
    [{ count: 1.5 }, 'failPosts: count must be a positive whole number, got 1.5'],
    [{ forMs: -1 }, 'failPosts: forMs must be a positive number, got -1'],
    [{ connectionIds: [] }, 'failPosts: connectionIds must name at least one connection'],
  ])('refuses %j', (options, message) => {
    expect(() => new PostFaults().add(options)).toThrow(new RangeError(message));
  });
});
