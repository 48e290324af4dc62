/**
 * Checks `npm run deploy` makes before Terraform creates anything, each ending, when it fails, in
 * one line that names the fix: a region, credentials that AWS accepts (STS GetCallerIdentity),
 * for the S3 website, an account whose S3 Block Public Access lets a public bucket policy through
 * (S3 Control GetPublicAccessBlock), and, for access logs, a Region whose API Gateway account
 * settings name a CloudWatch Logs role (API Gateway GetAccount). Without these a user got
 * Terraform's multi-screen provider error, or an error after half the stack existed.
 */
import { type APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { GetPublicAccessBlockCommand, type S3ControlClient } from '@aws-sdk/client-s3-control';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

/** A check failed; the message is the one line the user sees. */
export class PreflightError extends Error {
  override readonly name = 'PreflightError';
}

/** The AWS clients the checks call, created for the resolved region. */
export interface PreflightClients {
  readonly sts: STSClient;
  readonly s3Control: S3ControlClient;
  readonly apiGateway: APIGatewayClient;
}

/** What the deployment will use, as Terraform will see it. */
export interface PreflightOptions {
  /** `var.aws_region`, or null when Terraform falls back to the environment like the AWS CLI. */
  readonly region: string | null;
  /** The region the AWS SDK resolves from the environment and profile (AWS_REGION, ~/.aws/config). */
  readonly environmentRegion: () => Promise<string | null>;
  /** True for the S3 website (enable_https = false), whose bucket policy is public. */
  readonly publicWebsite: boolean;
  /** `var.enable_access_logs` for a deployment that creates the stage (false for destroy). */
  readonly accessLogs: boolean;
  /** `var.manage_apigateway_account`: the stack sets the Region's CloudWatch Logs role itself. */
  readonly manageApigatewayAccount: boolean;
  readonly clients: (region: string) => PreflightClients;
}

/** What the checks found. */
export interface PreflightReport {
  readonly region: string;
  readonly account: string;
  readonly arn: string;
  /** Things that could not be checked, each one line; the deployment goes on. */
  readonly notes: readonly string[];
}

/** The rule terraform/variables.tf's aws_region validation applies. */
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-[0-9]$/;

/**
 * Runs the checks in order and stops at the first failure.
 * @throws PreflightError naming what to fix
 */
export async function checkBeforeDeploy(options: PreflightOptions): Promise<PreflightReport> {
  const region = options.region ?? (await options.environmentRegion());
  if (region === null || region === '') {
    throw new PreflightError(
      'No AWS region is set: set AWS_REGION (or run `aws configure set region eu-central-1`), or ' +
        'pass `-- -var aws_region=eu-central-1` to npm run deploy.',
    );
  }
  if (!REGION_PATTERN.test(region)) {
    throw new PreflightError(
      `"${region}" is not an AWS region code: use one like eu-central-1 (aws_region, AWS_REGION).`,
    );
  }
  const clients = options.clients(region);
  const identity = await callerIdentity(clients.sts, region);
  const notes: string[] = [];
  if (options.publicWebsite) {
    const note = await checkAccountPublicAccessBlock(clients.s3Control, identity.account);
    if (note !== null) notes.push(note);
  }
  if (options.accessLogs && !options.manageApigatewayAccount) {
    const note = await checkApiGatewayLogsRole(clients.apiGateway, region);
    if (note !== null) notes.push(note);
  }
  return { region, ...identity, notes };
}

/**
 * The region Terraform's AWS provider falls back to when `aws_region` is null, in its order:
 * AWS_REGION, AWS_DEFAULT_REGION (which the JavaScript SDK does not read), then the profile's
 * `region` in the AWS config file, as the SDK resolves it.
 * @returns the region, or null when none is set anywhere
 */
export async function environmentRegion(
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | null> {
  if (env.AWS_REGION) return env.AWS_REGION;
  if (env.AWS_DEFAULT_REGION) return env.AWS_DEFAULT_REGION;
  const client = new STSClient({});
  try {
    return await client.config.region();
  } catch {
    return null;
  } finally {
    client.destroy();
  }
}

async function callerIdentity(
  sts: STSClient,
  region: string,
): Promise<{ account: string; arn: string }> {
  try {
    const output = await sts.send(new GetCallerIdentityCommand({}));
    if (output.Account === undefined || output.Arn === undefined) {
      throw new PreflightError('AWS STS answered GetCallerIdentity without an account.');
    }
    return { account: output.Account, arn: output.Arn };
  } catch (error) {
    if (error instanceof PreflightError) throw error;
    throw new PreflightError(credentialsProblem(error, region), { cause: error });
  }
}

function credentialsProblem(error: unknown, region: string): string {
  const name = errorName(error);
  const code = (error as { code?: unknown }).code;
  if (name === 'CredentialsProviderError') {
    return (
      'No AWS credentials found: run `aws configure` or `aws sso login`, or set AWS_PROFILE ' +
      '(or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).'
    );
  }
  if (name === 'ExpiredToken' || name === 'ExpiredTokenException') {
    return 'Your AWS credentials have expired: sign in again (`aws sso login`) or renew them.';
  }
  if (name === 'InvalidClientTokenId' || name === 'SignatureDoesNotMatch') {
    return (
      `AWS rejected your credentials (${name}): check the access key and secret, and that ` +
      `region ${region} is enabled for your account.`
    );
  }
  if (typeof code === 'string' && /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT)$/.test(code)) {
    return `Cannot reach AWS STS in region ${region} (${code}): check the region name and your network.`;
  }
  return `Checking your AWS credentials failed (${name}): ${messageOf(error)}`;
}

/**
 * S3 applies the stricter of the bucket's and the account's Block Public Access: an account that
 * blocks public policies refuses the website's bucket policy, whatever this stack sets.
 * @returns a note when the setting could not be read, else null
 * @throws PreflightError when the account would refuse the policy
 */
async function checkAccountPublicAccessBlock(
  s3Control: S3ControlClient,
  account: string,
): Promise<string | null> {
  try {
    const output = await s3Control.send(new GetPublicAccessBlockCommand({ AccountId: account }));
    const blocking = (['BlockPublicPolicy', 'RestrictPublicBuckets'] as const).filter(
      (flag) => output.PublicAccessBlockConfiguration?.[flag] === true,
    );
    if (blocking.length === 0) return null;
    throw new PreflightError(
      `Account ${account}'s S3 Block Public Access (${blocking.join(', ')}) would refuse the ` +
        "website's public bucket policy: deploy over HTTPS instead (`npm run deploy -- -var " +
        'enable_https=true`, a private bucket behind CloudFront), or allow public bucket policies ' +
        'for the account (docs/deploy.md, Prerequisites).',
    );
  } catch (error) {
    if (error instanceof PreflightError) throw error;
    // No account-level configuration at all: nothing is blocked.
    if (errorName(error) === 'NoSuchPublicAccessBlockConfiguration') return null;
    return (
      `Could not read the account's S3 Block Public Access (${errorName(error)}); if the ` +
      'bucket policy then fails with AccessDenied, see docs/troubleshooting.md.'
    );
  }
}

/**
 * API Gateway writes the access logs of every REST and WebSocket API in a Region with one role set
 * in the Region's account settings, and refuses a stage with access logs while none is set: the
 * apply would stop there, after the tables, the function and the API exist.
 * @returns a note when the setting could not be read, else null
 * @throws PreflightError when no role is set
 */
async function checkApiGatewayLogsRole(
  apiGateway: APIGatewayClient,
  region: string,
): Promise<string | null> {
  try {
    const output = await apiGateway.send(new GetAccountCommand({}));
    if (output.cloudwatchRoleArn) return null;
    throw new PreflightError(
      `Region ${region}'s API Gateway settings name no CloudWatch Logs role, which the access ` +
        'logs need: deploy with `npm run deploy -- -var manage_apigateway_account=true` (this ' +
        "stack then owns the Region's setting: only where no other stack sets it), set a role " +
        'yourself (`aws apigateway update-account`, docs/deploy.md, Prerequisites), or deploy ' +
        'without access logs (`npm run deploy -- -var enable_access_logs=false`).',
    );
  } catch (error) {
    if (error instanceof PreflightError) throw error;
    return (
      `Could not read the Region's API Gateway CloudWatch Logs role (${errorName(error)}); if ` +
      'the stage then fails with "CloudWatch Logs role ARN must be set", see ' +
      'docs/troubleshooting.md.'
    );
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
