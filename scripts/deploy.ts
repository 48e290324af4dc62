/**
 * `npm run deploy` / `npm run destroy`: builds, runs `terraform init`, checks the AWS account
 * (scripts/deploy/preflight.ts), then runs `terraform apply` (or `destroy`) in `terraform/` with the
 * terminal attached, so Terraform shows its plan and asks for approval. Arguments after `--` go to
 * Terraform, e.g. `npm run deploy -- -auto-approve`. An apply that fails only because S3 refused
 * the bucket policy right after its public access block changed is run again
 * (scripts/deploy/bucket-policy-race.ts). Every failure ends in one plain sentence saying what to
 * do, never a stack trace.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { STSClient } from '@aws-sdk/client-sts';
import {
  type ApplyAttempt,
  applyRetryingBucketPolicyRace,
  isBucketPolicyAccessDenied,
} from './deploy/bucket-policy-race.ts';
import { checkBeforeDeploy, environmentRegion, PreflightError } from './deploy/preflight.ts';
import { type DeploySettings, readDeploySettings, SettingsError } from './deploy/settings.ts';
import { CommandError, runCommand } from './lib/command.ts';
import { UsageError } from './lib/flags.ts';
import {
  findTerraform,
  offlineEnvironment,
  TERRAFORM_INSTALL_HINT,
  type TerraformTool,
} from './lib/terraform.ts';

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const moduleDir = join(repoRoot, 'terraform');

/** What Terraform reads at plan time (fileset, filebase64sha256): all of it must exist. */
const BUILD_OUTPUTS = [
  join(repoRoot, 'backend', 'dist', 'lambda.zip'),
  join(repoRoot, 'frontend', 'dist'),
] as const;

type Action = 'apply' | 'destroy';

async function main(argv: readonly string[]): Promise<void> {
  const [action, ...terraformArgs] = argv;
  if (action !== 'apply' && action !== 'destroy') {
    throw new UsageError(
      `scripts/deploy.ts takes apply or destroy, then Terraform's options; got '${action ?? ''}'`,
    );
  }

  const tool = await findTerraform();
  if (tool === null) throw new CommandError(`terraform not found. ${TERRAFORM_INSTALL_HINT}`);
  console.log(`terraform ${tool.version} at ${tool.bin}`);

  await ensureBuild(action);

  const configDir = await mkdtemp(join(tmpdir(), 'awsome-chat-deploy-'));
  try {
    const env = await deployEnvironment(tool, configDir);
    await run(tool.bin, ['init', '-input=false'], env, 'terraform init failed (see above).');
    await checkAccount(tool, env, action, terraformArgs);
    if (action === 'destroy') {
      await run(
        tool.bin,
        ['destroy', ...terraformArgs],
        env,
        'terraform destroy failed (see above).',
      );
    } else {
      await apply(tool, env, terraformArgs);
    }
  } finally {
    await rm(configDir, { recursive: true, force: true });
  }
  if (action === 'apply') {
    console.log('\nDeployed. Open website_url (above) in two browser tabs and chat.');
  }
}

/**
 * `apply` always rebuilds so AWS gets the current code. `destroy` builds only when an artefact is
 * missing: Terraform evaluates the whole configuration, file functions included, even to destroy.
 */
async function ensureBuild(action: Action): Promise<void> {
  if (action === 'apply' || (await missingBuildOutputs()).length > 0) {
    await run(
      'npm',
      ['run', 'build'],
      {},
      'npm run build failed (see above); nothing was changed on AWS.',
    );
  }
  const missing = await missingBuildOutputs();
  if (missing.length > 0) {
    const names = missing.map((path) => relative(repoRoot, path)).join(', ');
    throw new CommandError(`the build did not produce ${names}; run npm run build and check it.`);
  }
}

async function missingBuildOutputs(): Promise<string[]> {
  const missing: string[] = [];
  for (const path of BUILD_OUTPUTS) {
    if (!(await isNonEmpty(path))) missing.push(path);
  }
  return missing;
}

async function isNonEmpty(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? (await readdir(path)).length > 0 : info.size > 0;
  } catch {
    return false;
  }
}

/**
 * Region, credentials, (for the S3 website) the account's S3 Block Public Access and (for access
 * logs) the Region's API Gateway CloudWatch Logs role, checked before Terraform creates anything.
 * The settings come from `terraform console`, so `-var`, `-var-file` and terraform.tfvars count
 * exactly as they will for the apply.
 */
async function checkAccount(
  tool: TerraformTool,
  env: Record<string, string>,
  action: Action,
  terraformArgs: readonly string[],
): Promise<void> {
  let settings: DeploySettings;
  try {
    settings = await readDeploySettings(tool, moduleDir, env, terraformArgs);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    console.error(error.message);
    throw new CommandError(
      'Terraform could not read the variables (see above); nothing was changed.',
    );
  }
  try {
    const report = await checkBeforeDeploy({
      region: settings.region,
      environmentRegion: () => environmentRegion(),
      publicWebsite: action === 'apply' && !settings.enableHttps,
      accessLogs: action === 'apply' && settings.enableAccessLogs,
      manageApigatewayAccount: settings.manageApigatewayAccount,
      clients: (region) => ({
        sts: new STSClient({ region }),
        s3Control: new S3ControlClient({ region }),
        apiGateway: new APIGatewayClient({ region }),
      }),
    });
    console.log(`AWS account ${report.account} (${report.arn}), region ${report.region}`);
    for (const note of report.notes) console.log(`Note: ${note}`);
  } catch (error) {
    if (error instanceof PreflightError) throw new CommandError(error.message);
    throw error;
  }
}

async function apply(
  tool: TerraformTool,
  env: Record<string, string>,
  terraformArgs: readonly string[],
): Promise<void> {
  const last = await applyRetryingBucketPolicyRace(
    () => runCapturingOutput(tool.bin, ['apply', ...terraformArgs], env),
    { log: (line) => console.log(`\n${line}\n`) },
  );
  if (last.exitCode === 0) return;
  if (isBucketPolicyAccessDenied(last.output)) {
    throw new CommandError(
      'S3 still refuses the bucket policy: the account-level S3 Block Public Access probably ' +
        'blocks public policies. Allow them (docs/deploy.md, Prerequisites) or deploy with ' +
        '-var enable_https=true.',
    );
  }
  throw new CommandError('terraform apply failed (see above).');
}

/** Installs the provider from a local mirror when the machine has one, else from the registry. */
async function deployEnvironment(
  tool: TerraformTool,
  configDir: string,
): Promise<Record<string, string>> {
  if (tool.providerMirror === null) return { CHECKPOINT_DISABLE: '1' };
  console.log(`hashicorp/aws provider from the local mirror ${tool.providerMirror}`);
  // Without TF_IN_AUTOMATION and TF_INPUT: here Terraform should show its plan and ask to approve.
  const {
    TF_IN_AUTOMATION: _automation,
    TF_INPUT: _input,
    ...env
  } = await offlineEnvironment(tool.providerMirror, configDir);
  return env;
}

/** Runs a command in terraform/ with the terminal attached; throws `failure` unless it exits 0. */
function run(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  failure: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const cwd = command === 'npm' ? repoRoot : moduleDir;
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: 'inherit',
      // npm is npm.cmd on Windows, which only a shell can start.
      shell: process.platform === 'win32' && command === 'npm',
    });
    child.on('error', (error) => reject(new CommandError(`${failure} (${error.message})`)));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new CommandError(signal ? `${failure} (stopped by ${signal})` : failure));
    });
  });
}

/**
 * Runs a command in terraform/ like {@link run}, with its output still shown as it comes, and also
 * kept (the last 256 KB) so the caller can tell which error it ended with.
 */
function runCapturingOutput(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<ApplyAttempt> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: moduleDir,
      env: { ...process.env, ...env },
      stdio: ['inherit', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer, sink: NodeJS.WriteStream): void => {
      sink.write(chunk);
      output = (output + chunk.toString('utf8')).slice(-256 * 1024);
    };
    child.stdout.on('data', (chunk: Buffer) => keep(chunk, process.stdout));
    child.stderr.on('data', (chunk: Buffer) => keep(chunk, process.stderr));
    child.on('error', (error) =>
      reject(new CommandError(`terraform apply could not start (${error.message})`)),
    );
    child.on('close', (code) => resolve({ exitCode: code ?? 1, output }));
  });
}

const argv = process.argv.slice(2);
await runCommand({ name: argv[0] === 'destroy' ? 'npm run destroy' : 'npm run deploy' }, () =>
  main(argv),
);
