import { describe, expect, it } from 'vitest';
import type { ShardJob } from '../../src/broadcast/shard-job.ts';
import {
  parseShardJob,
  recipientCount,
  serializeShardJob,
  splitIntoJobs,
} from '../../src/broadcast/shard-job.ts';

const base = {
  endpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
  payload: '{"type":"message"}',
  attempt: 1,
};

describe('shard jobs on the wire', () => {
  it.each<[string, ShardJob]>([
    ['a recipient list', { ...base, recipients: ['a=', 'b='] }],
    [
      'a cursor with a sender to leave out',
      { ...base, cursor: { room: 'support', after: { connectionId: 'x=' } }, exclude: 's=' },
    ],
    ['a cursor from the start', { ...base, cursor: { room: 'lobby' } }],
    [
      'a message with its serial, dead-lettered',
      {
        ...base,
        recipients: ['a='],
        message: { id: '01KB', seq: 7, room: 'lobby', acceptedAt: 1_795_000_000_000 },
        deadLetter: { reason: 'window_ended' },
      },
    ],
  ])('round-trips %s', (_, job) => {
    expect(parseShardJob(serializeShardJob(job))).toEqual({ ok: true, job });
  });

  it.each<[string, unknown]>([
    ['not JSON', 'nope'],
    ['not an object', [1]],
    ['another version', { ...base, v: 2, recipients: [] }],
    ['no endpoint', { v: 1, payload: 'x', attempt: 1, recipients: [] }],
    ['a non-http endpoint', { ...base, v: 1, endpoint: 'file:///etc/passwd', recipients: [] }],
    ['a payload over 128 KB', { ...base, v: 1, payload: 'x'.repeat(131_073), recipients: [] }],
    ['attempt 0', { ...base, v: 1, attempt: 0, recipients: [] }],
    ['both recipients and cursor', { ...base, v: 1, recipients: [], cursor: {} }],
    ['neither recipients nor cursor', { ...base, v: 1 }],
    ['a recipient that is not a string', { ...base, v: 1, recipients: ['a=', 7] }],
    ['an empty recipient', { ...base, v: 1, recipients: [''] }],
    ['a cursor that is not an object', { ...base, v: 1, cursor: 'after' }],
    ['an exclude that is not a string', { ...base, v: 1, cursor: { room: 'lobby' }, exclude: 3 }],
    ['a cursor without a room', { ...base, v: 1, cursor: {} }],
    [
      'a message without acceptedAt',
      { ...base, v: 1, recipients: [], message: { id: 'x', room: 'l' } },
    ],
    ['a dead-letter without a reason', { ...base, v: 1, recipients: [], deadLetter: {} }],
  ])('refuses %s, with a reason', (_, value) => {
    const parsed = parseShardJob(typeof value === 'string' ? value : JSON.stringify(value));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).not.toBe('');
  });
});

describe('splitIntoJobs', () => {
  it('splits in order into jobs of at most the size, and none for no recipients', () => {
    const jobs = splitIntoJobs(['a', 'b', 'c', 'd', 'e'], 2, base);

    expect(jobs.map((job) => job.recipients)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(recipientCount(jobs)).toBe(5);
    expect(splitIntoJobs([], 2, base)).toEqual([]);
  });
});
