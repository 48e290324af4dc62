/**
 * Which failed applies `npm run deploy` runs again, and how often. The apply test against moto
 * (tools/checks/test/integration) drives the same function with real Terraform and an injected AccessDenied.
 */
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  type ApplyAttempt,
  applyRetryingBucketPolicyRace,
  isBucketPolicyAccessDenied,
} from '../../deploy/bucket-policy-race.ts';

/** Terraform's diagnostic, as the provider words it (resourceBucketPolicyPut), coloured and boxed. */
const RACE_OUTPUT = [
  'aws_s3_bucket_policy.this: Creating...',
  '\u001b[31m╷\u001b[0m\u001b[0m',
  '\u001b[31m│\u001b[0m \u001b[0m\u001b[1m\u001b[31mError: \u001b[0m\u001b[0m\u001b[1mputting S3 Bucket (awsome-chat-site-20261130) Policy: operation error S3: PutBucketPolicy, https response error StatusCode: 403, RequestID: 4442587FB7D0A2F9, HostID: bW90bw==, api error AccessDenied: Access Denied\u001b[0m',
  '\u001b[31m│\u001b[0m \u001b[0m',
  '\u001b[31m│\u001b[0m \u001b[0m\u001b[0m  with aws_s3_bucket_policy.this,',
  '\u001b[31m│\u001b[0m \u001b[0m  on website.tf line 43, in resource "aws_s3_bucket_policy" "this":',
  '\u001b[31m╵\u001b[0m\u001b[0m',
].join('\n');

const OTHER_FAILURE = [
  'Error: creating Lambda Function (awsome-chat-chat): operation error Lambda: CreateFunction, https response error StatusCode: 403, api error AccessDeniedException: User is not authorized',
  '',
  '  with aws_lambda_function.this,',
].join('\n');

describe('isBucketPolicyAccessDenied', () => {
  it('recognises the provider error for the bucket policy, colours and box included', () => {
    expect(isBucketPolicyAccessDenied(RACE_OUTPUT)).toBe(true);
    expect(isBucketPolicyAccessDenied(stripVTControlCharacters(RACE_OUTPUT))).toBe(true);
  });

  it('ignores other AccessDenied errors and other bucket policy errors', () => {
    expect(isBucketPolicyAccessDenied(OTHER_FAILURE)).toBe(false);
    expect(
      isBucketPolicyAccessDenied(RACE_OUTPUT.replace('AccessDenied:', 'MalformedPolicy:')),
    ).toBe(false);
  });
});

/** Applies that answer in turn with the given outcomes, counting calls. */
function applies(...outcomes: ApplyAttempt[]): {
  apply: () => Promise<ApplyAttempt>;
  calls: () => number;
} {
  let calls = 0;
  return {
    apply: async () => {
      const outcome = outcomes[Math.min(calls, outcomes.length - 1)] as ApplyAttempt;
      calls += 1;
      return outcome;
    },
    calls: () => calls,
  };
}

const raced: ApplyAttempt = { exitCode: 1, output: RACE_OUTPUT };
const succeeded: ApplyAttempt = { exitCode: 0, output: 'Apply complete!' };

describe('applyRetryingBucketPolicyRace', () => {
  it('applies again after the race, once the pause is over, and reports success', async () => {
    // Prepare
    const { apply, calls } = applies(raced, succeeded);
    const pauses: number[] = [];
    const lines: string[] = [];
    // Act
    const result = await applyRetryingBucketPolicyRace(apply, {
      delayMs: 15_000,
      sleep: async (ms) => {
        pauses.push(ms);
      },
      log: (line) => lines.push(line),
    });
    // Assess
    expect(result).toBe(succeeded);
    expect(calls()).toBe(2);
    expect(pauses).toEqual([15_000]);
    expect(lines).toEqual([expect.stringMatching(/applying again in 15 s \(attempt 2 of 3\)\.$/)]);
  });

  it('gives up after the bounded number of attempts, returning the last failure', async () => {
    const { apply, calls } = applies(raced);
    const result = await applyRetryingBucketPolicyRace(apply, {
      attempts: 3,
      sleep: async () => {},
    });
    expect(result).toBe(raced);
    expect(calls()).toBe(3);
  });

  it('never retries another failure, nor a success', async () => {
    const failing = applies({ exitCode: 1, output: OTHER_FAILURE });
    expect(
      (await applyRetryingBucketPolicyRace(failing.apply, { sleep: async () => {} })).exitCode,
    ).toBe(1);
    expect(failing.calls()).toBe(1);

    const passing = applies(succeeded);
    await applyRetryingBucketPolicyRace(passing.apply, { sleep: async () => {} });
    expect(passing.calls()).toBe(1);
  });
});
