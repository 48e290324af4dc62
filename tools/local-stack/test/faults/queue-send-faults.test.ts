/**
 * `failShardSends`' bookkeeping: the first attempts of each entry (known by its body), or all.
 */
import { describe, expect, it } from 'vitest';
import { QueueSendFaults } from '../../src/faults/queue-send-faults.ts';

describe('QueueSendFaults', () => {
  it('refuses nothing when nothing is armed', () => {
    expect(new QueueSendFaults().refuses('shards', 'a')).toBe(false);
  });

  it('refuses the first attempts of each entry, then lets it through', () => {
    // Prepare
    const faults = new QueueSendFaults();
    const fault = faults.add('shards', { firstAttempts: 2 });
    // Act
    const attempts = [
      faults.refuses('shards', 'job 1'),
      faults.refuses('shards', 'job 2'),
      faults.refuses('shards', 'job 1'),
      faults.refuses('shards', 'job 1'),
      faults.refuses('shards', 'job 2'),
      faults.refuses('shards', 'job 2'),
    ];
    // Assess
    expect(attempts).toEqual([true, true, true, false, true, false]);
    expect(fault.injected).toBe(4);
  });

  it('refuses the first attempt only by default', () => {
    const faults = new QueueSendFaults();
    faults.add('shards', {});
    expect([faults.refuses('shards', 'a'), faults.refuses('shards', 'a')]).toEqual([true, false]);
  });

  it('refuses every entry with all, until clear(), and only on its queue', () => {
    const faults = new QueueSendFaults();
    const fault = faults.add('shards', { all: true });
    expect([1, 2, 3].map(() => faults.refuses('shards', 'a'))).toEqual([true, true, true]);
    expect(faults.refuses('dead-letters', 'a')).toBe(false);
    faults.clear();
    expect(faults.refuses('shards', 'a')).toBe(false);
    expect(fault.injected).toBe(3);
  });

  it.each([
    [{ firstAttempts: 0 }, 'failShardSends: firstAttempts must be a positive whole number, got 0'],
    [{ all: false }, 'failShardSends: all must be true'],
  ])('refuses %j', (options, message) => {
    expect(() => new QueueSendFaults().add('shards', options as { all: true })).toThrow(
      new RangeError(message),
    );
  });
});
