/**
 * Finds the Terraform CLI and an offline mirror of the `hashicorp/aws` provider, and runs
 * Terraform against that mirror so nothing is downloaded. Used by the Terraform tests, the deploy
 * script and the local stack's template test.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, copyFile, cp, mkdir, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { pathExists } from './fs.ts';

/** The Terraform CLI found on this machine. */
export interface TerraformTool {
  /** Path of the `terraform` executable. */
  readonly bin: string;
  /** Its version, e.g. `1.11.4`. */
  readonly version: string;
  /**
   * A filesystem mirror holding `registry.terraform.io/hashicorp/aws`, or `null` when none was
   * found (then `terraform init` downloads the provider from the registry).
   */
  readonly providerMirror: string | null;
}

/** Output of one finished Terraform command. */
export interface TerraformResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** What to tell a user whose machine has no Terraform. */
export const TERRAFORM_INSTALL_HINT =
  'Install Terraform >= 1.11 from https://developer.hashicorp.com/terraform/install ' +
  '(or set TERRAFORM_BIN to its path) and run this again.';

const PROVIDER_PATH = join('registry.terraform.io', 'hashicorp', 'aws');

/**
 * Finds `terraform` (TERRAFORM_BIN, else the PATH) and the aws provider mirror (TF_PLUGIN_DIR,
 * /opt/tf-plugins, then the implied local mirror directories Terraform itself searches).
 *
 * @returns the tool, or `null` when no runnable Terraform binary exists.
 */
export async function findTerraform(
  env: NodeJS.ProcessEnv = process.env,
): Promise<TerraformTool | null> {
  const bin = await findBinary(env);
  if (bin === null) return null;
  const version = await readVersion(bin);
  if (version === null) return null;
  return { bin, version, providerMirror: await findProviderMirror(env) };
}

/**
 * Writes a Terraform CLI configuration that installs `hashicorp/aws` only from `mirrorDir` into
 * `configDir`, and returns the environment that makes Terraform use it non-interactively.
 * Pass `dataDir` to keep `.terraform` (providers, modules) out of the working directory.
 */
export async function offlineEnvironment(
  mirrorDir: string,
  configDir: string,
  dataDir?: string,
): Promise<Record<string, string>> {
  const configFile = join(configDir, 'terraform.rc');
  // Only a filesystem_mirror and no `direct {}` block: installation can never reach the network.
  await writeFile(
    configFile,
    [
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${hclString(mirrorDir)}`,
      '    include = ["registry.terraform.io/hashicorp/aws"]',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  return {
    TF_CLI_CONFIG_FILE: configFile,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    ...(dataDir === undefined ? {} : { TF_DATA_DIR: dataDir }),
  };
}

/**
 * The environment for Terraform commands run in a temp dir `workDir`: offline against the local
 * provider mirror when there is one (see {@link offlineEnvironment}), else the public registry;
 * `.terraform` goes to `workDir/data`, never into the configuration's folder.
 */
export async function terraformEnvironment(
  tool: TerraformTool,
  workDir: string,
): Promise<Record<string, string>> {
  const dataDir = join(workDir, 'data');
  if (tool.providerMirror !== null)
    return offlineEnvironment(tool.providerMirror, workDir, dataDir);
  return { TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', TF_DATA_DIR: dataDir };
}

/** Where and how to run one Terraform command. */
export interface TerraformRunOptions {
  readonly cwd: string;
  /** Added to this process's environment, e.g. the result of {@link offlineEnvironment}. */
  readonly env?: Record<string, string>;
  /** Written to stdin, e.g. expressions for `terraform console`; stdin is closed either way. */
  readonly input?: string;
}

/**
 * Runs `terraform args...` and collects its output; never throws for a non-zero exit.
 *
 * @example
 * await runTerraform(tool, ['console'], { cwd, env, input: 'jsonencode({ a = 1 })\n' });
 */
export function runTerraform(
  tool: TerraformTool,
  args: readonly string[],
  options: TerraformRunOptions,
): Promise<TerraformResult> {
  return new Promise((resolve) => {
    const child = execFile(
      tool.bin,
      [...args],
      {
        cwd: options.cwd,
        env: { ...process.env, NO_COLOR: '1', ...options.env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ exitCode, stdout, stderr: stderr || (error?.message ?? '') });
      },
    );
    // A command that exits without reading stdin makes this write fail with EPIPE; its exit code
    // and stderr already tell the story, so the write error is dropped.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? '');
  });
}

/** Files outside terraform/ that the configuration reads, relative to the repository root. */
const SHARED_INPUTS = [
  'contract/contract.json',
  'frontend/config.js.tftpl',
  'frontend/index.html.tftpl',
  'frontend/content-security-policy.tftpl',
  'frontend/content-types.json',
] as const;

/**
 * Never copied: someone's own `terraform init` (providers, lock file), state, and variable files,
 * which Terraform would load and which would change the values the tests expect.
 */
const LOCAL_ONLY =
  /^(\.terraform|\.terraform\.lock\.hcl|terraform\.tfstate\.d)$|\.(tfstate|tfstate\.backup|tfvars|tfvars\.json)$/;

/** A file the configuration needs is missing from the repository. */
export class StagingError extends Error {
  override readonly name = 'StagingError';
}

/**
 * Copies `terraform/` and the shared files it reads from `repoRoot` into `stageRoot`, keeping the
 * repository's layout so `${path.module}/../...` paths resolve as they do in the real tree. Tests
 * run Terraform on such a copy, so they never race on, or leave behind, `.terraform/`, a lock file
 * or state in the working tree.
 * @returns the staged terraform/ folder
 * @throws StagingError when a shared input is missing
 */
export async function stageConfiguration(repoRoot: string, stageRoot: string): Promise<string> {
  const moduleDir = join(stageRoot, 'terraform');
  await cp(join(repoRoot, 'terraform'), moduleDir, {
    recursive: true,
    filter: (source) => !LOCAL_ONLY.test(basename(source)),
  });
  for (const input of SHARED_INPUTS) {
    const target = join(stageRoot, input);
    await mkdir(dirname(target), { recursive: true });
    if (!(await pathExists(join(repoRoot, input)))) {
      throw new StagingError(`${input} is missing: the Terraform configuration reads it.`);
    }
    await copyFile(join(repoRoot, input), target);
  }
  return moduleDir;
}

async function findBinary(env: NodeJS.ProcessEnv): Promise<string | null> {
  const explicit = env.TERRAFORM_BIN;
  if (explicit) return (await isExecutable(explicit)) ? explicit : null;
  const names = process.platform === 'win32' ? ['terraform.exe'] : ['terraform'];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (await isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

async function readVersion(bin: string): Promise<string | null> {
  const result = await runTerraform(
    { bin, version: '', providerMirror: null },
    ['version', '-json'],
    {
      cwd: process.cwd(),
      env: { CHECKPOINT_DISABLE: '1' },
    },
  );
  if (result.exitCode !== 0) return null;
  try {
    const parsed: unknown = JSON.parse(result.stdout);
    const version = (parsed as { terraform_version?: unknown }).terraform_version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

async function findProviderMirror(env: NodeJS.ProcessEnv): Promise<string | null> {
  const home = homedir();
  const dataHome = env.XDG_DATA_HOME || join(home, '.local', 'share');
  const candidates = [
    env.TF_PLUGIN_DIR,
    '/opt/tf-plugins',
    join(home, '.terraform.d', 'plugins'),
    join(dataHome, 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ];
  for (const dir of candidates) {
    if (dir && (await isDirectory(join(dir, PROVIDER_PATH)))) return dir;
  }
  return null;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A quoted string for the CLI configuration. That file is HCL 1 without interpolation (checked:
 * a mirror path containing `${x}` is found as written), so only quotes and backslashes need
 * escaping, which JSON's string syntax does the same way.
 */
function hclString(value: string): string {
  return JSON.stringify(value);
}

/** One `variable` block of a `terraform fmt`-clean file: its name and its default as written. */
export interface DeclaredVariable {
  readonly name: string;
  /** The default's HCL text (`256`, `"awsome-chat"`, `null`), or undefined when required. */
  readonly defaultValue: string | undefined;
  readonly hasDescription: boolean;
  readonly hasType: boolean;
}

/**
 * Reads the variable blocks of terraform/variables.tf, which is `terraform fmt` clean (checked by
 * `npm run test:terraform`): one block per variable, `default = …` on one line.
 * @param hcl - the file's text
 * @returns its variables, in order
 */
export function declaredVariables(hcl: string): DeclaredVariable[] {
  return [...hcl.matchAll(/^variable "([a-z0-9_]+)" \{\n([\s\S]*?)^\}/gm)].map((match) => {
    const body = match[2] ?? '';
    return {
      name: match[1] ?? '',
      defaultValue: /^ {2}default\s+= (.+)$/m.exec(body)?.[1],
      hasDescription: /^ {2}description\s+= "/m.test(body),
      hasType: /^ {2}type\s+= /m.test(body),
    };
  });
}
