/**
 * S3 may refuse a public bucket policy with AccessDenied for a few seconds after the bucket's
 * public access block changed, even though Terraform applies them in that order; the provider does
 * not retry it, and a second `terraform apply` succeeds. `npm run deploy` does that second apply
 * itself, for this one error only, a bounded number of times.
 */
import { stripVTControlCharacters } from 'node:util';

/** One finished `terraform apply`: its exit code and what it printed. */
export interface ApplyAttempt {
  readonly exitCode: number;
  readonly output: string;
}

/** How often and how patiently to retry. */
export interface RaceRetryOptions {
  /** Applies in all, the first included (default 3). */
  readonly attempts?: number;
  /** Wait before each retry (default 15 s). */
  readonly delayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told, in one line, why a retry happens. */
  readonly log?: (line: string) => void;
}

/** The box Terraform draws around diagnostics, removed (with colours) so the text can be matched. */
const DIAGNOSTIC_BOX = /^[│╷╵]\s?/gmu;

/**
 * Tells whether an apply failed on S3 refusing the bucket policy with AccessDenied: the provider's
 * "putting S3 Bucket (…) Policy" error, for aws_s3_bucket_policy.
 */
export function isBucketPolicyAccessDenied(output: string): boolean {
  const text = stripVTControlCharacters(output).replace(DIAGNOSTIC_BOX, '');
  return (
    /Error: putting S3 Bucket \([^)]*\) Policy: [^\n]*\bAccessDenied\b/.test(text) &&
    /with aws_s3_bucket_policy\./.test(text)
  );
}

/**
 * Runs `apply`, and again after a pause while it fails only with the bucket policy's AccessDenied.
 * @param apply - one `terraform apply`; re-running it applies what the first one left undone
 * @returns the last attempt (exit code 0 when one succeeded)
 */
export async function applyRetryingBucketPolicyRace(
  apply: () => Promise<ApplyAttempt>,
  options: RaceRetryOptions = {},
): Promise<ApplyAttempt> {
  const attempts = options.attempts ?? 3;
  const delayMs = options.delayMs ?? 15_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let attempt = await apply();
  for (let number = 2; number <= attempts; number += 1) {
    if (attempt.exitCode === 0 || !isBucketPolicyAccessDenied(attempt.output)) return attempt;
    options.log?.(
      'S3 refused the bucket policy with AccessDenied, as it may for a few seconds after the ' +
        `bucket's public access block changed: applying again in ${Math.round(delayMs / 1000)} s ` +
        `(attempt ${number} of ${attempts}).`,
    );
    await sleep(delayMs);
    attempt = await apply();
  }
  return attempt;
}
