/**
 * `npm run deploy` / `npm run destroy`: builds, then runs `terraform init` and `terraform apply`
 * (or `destroy`) in `terraform/` with the terminal attached, so Terraform shows its plan and asks
 * for approval. Arguments after `--` go to Terraform, e.g. `npm run deploy -- -auto-approve`.
 * Every failure ends in one plain sentence saying what to do, never a stack trace.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** A failure the user can act on; its message is all they see. */
class DeployError extends Error {
  override readonly name = 'DeployError';
}

async function main(argv: readonly string[]): Promise<void> {
  const [action, ...terraformArgs] = argv;
  if (action !== 'apply' && action !== 'destroy') {
    throw new DeployError('usage: tsx scripts/deploy.ts apply|destroy [terraform options]');
  }

  const tool = await findTerraform();
  if (tool === null) throw new DeployError(`terraform not found. ${TERRAFORM_INSTALL_HINT}`);
  console.log(`terraform ${tool.version} at ${tool.bin}`);

  await ensureBuild(action);

  const configDir = await mkdtemp(join(tmpdir(), 'awsome-chat-deploy-'));
  try {
    const env = await deployEnvironment(tool, configDir);
    await run(tool.bin, ['init', '-input=false'], env, 'terraform init failed (see above).');
    await run(tool.bin, [action, ...terraformArgs], env, `terraform ${action} failed (see above).`);
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
    throw new DeployError(`the build did not produce ${names}; run npm run build and check it.`);
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
    child.on('error', (error) => reject(new DeployError(`${failure} (${error.message})`)));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new DeployError(signal ? `${failure} (stopped by ${signal})` : failure));
    });
  });
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  // A DeployError is the whole story; anything else is unexpected, but still gets one line.
  const message = error instanceof Error ? error.message : String(error);
  console.error(`\n${error instanceof DeployError ? 'Error' : 'Unexpected error'}: ${message}`);
  process.exitCode = 1;
}
