import { describe, expect, it } from 'vitest';
import { formatRunReport } from '../src/run-report.ts';
import { NO_USAGE } from '../src/usage.ts';

describe('the run report', () => {
  it('lists every skipped test with its reason, then the usage and its cost', () => {
    // Act
    const text = formatRunReport(
      [
        {
          file: 'tools/behaviour/suite/a.test.ts',
          name: 'x > does one thing',
          reason: 'needs faults',
        },
        { file: 'tools/behaviour/suite/b.test.ts', name: 'does another', reason: 'sign-in is off' },
      ],
      {
        ...NO_USAGE,
        handshakes: 10,
        connections: 10,
        connectionMinutes: 10,
        messagesSent: 100,
        messagesReceived: 150,
      },
    );
    // Assess: 250 messages and 10 minutes at API Gateway ($0.00025 + $0.0000025); 120
    // invocations of 100 ms at 1 GB on arm64 ($0.000024 + $0.00016)
    expect(text.split('\n')).toEqual([
      '',
      'Skipped 2 tests, and why:',
      '  - tools/behaviour/suite/a.test.ts > x > does one thing',
      '    needs faults',
      '  - tools/behaviour/suite/b.test.ts > does another',
      '    sign-in is off',
      '',
      'This run used 100 messages sent and 150 received, 10 connection minutes (10 connections) and about 120 Lambda invocations:',
      'about $0.00044 at us-east-1 list prices (API Gateway $0.00025, Lambda $0.00018; DynamoDB and free tiers not counted).',
      '',
    ]);
  });

  it('says when it skipped nothing', () => {
    expect(formatRunReport([], NO_USAGE)).toContain('\nSkipped no test.\n');
  });
});
