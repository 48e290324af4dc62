/**
 * `npm run test:terraform`: checks the AWS stack in `terraform/` offline.
 *
 * `terraform fmt -check` runs on the real folder; `init`, `validate` and `terraform test` (a mocked
 * AWS provider, see terraform/tests) run on a copy in a temp dir, so parallel runs never race on
 * `.terraform/` or the lock file and nothing is left behind in the working tree.
 * Without Terraform it prints SKIPPED and how to install it, except under CI=true where a
 * skipped check would pass silently, so there it fails.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../../../scripts/lib/command.ts';
import {
  findTerraform,
  runTerraform,
  StagingError,
  stageConfiguration,
  TERRAFORM_INSTALL_HINT,
  type TerraformResult,
  terraformEnvironment,
} from '../../../scripts/lib/terraform.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

interface Step {
  readonly name: string;
  readonly run: () => Promise<TerraformResult>;
  /** Lines of the output worth showing when the step passes. */
  readonly summarise?: (output: string) => string[];
}

async function main(): Promise<number> {
  const tool = await findTerraform();
  if (tool === null) return reportMissingTerraform();
  console.log(`terraform ${tool.version} at ${tool.bin}`);

  const workDir = await mkdtemp(join(tmpdir(), 'awsome-chat-tf-'));
  try {
    console.log(
      tool.providerMirror === null
        ? 'No local provider mirror found: terraform init downloads hashicorp/aws.'
        : `hashicorp/aws provider from the local mirror ${tool.providerMirror}`,
    );
    const env = await terraformEnvironment(tool, workDir);
    let moduleDir: string;
    try {
      moduleDir = await stageConfiguration(repoRoot, join(workDir, 'repo'));
    } catch (error) {
      if (!(error instanceof StagingError)) throw error;
      console.error(`✘ ${error.message}\n\nTerraform checks FAILED.`);
      return 1;
    }
    const steps: Step[] = [
      {
        name: 'terraform fmt -check -recursive',
        run: () =>
          runTerraform(tool, ['fmt', '-check', '-recursive', '-diff'], {
            cwd: join(repoRoot, 'terraform'),
            env,
          }),
      },
      {
        name: 'terraform init -backend=false',
        run: () =>
          runTerraform(tool, ['init', '-backend=false', '-no-color'], { cwd: moduleDir, env }),
      },
      {
        name: 'terraform validate',
        run: () => runTerraform(tool, ['validate', '-no-color'], { cwd: moduleDir, env }),
      },
      {
        name: 'terraform test',
        run: () => runTerraform(tool, ['test', '-no-color'], { cwd: moduleDir, env }),
        summarise: (output) =>
          output
            .split('\n')
            .filter((line) =>
              /^tests\/.*\.\.\. (pass|fail)$|^\s+run ".*"\.\.\. |passed, \d+ failed/.test(line),
            ),
      },
    ];
    for (const step of steps) {
      const result = await step.run();
      const output = `${result.stdout}${result.stderr}`;
      if (result.exitCode !== 0) {
        console.error(`✘ ${step.name} (exit ${result.exitCode})\n${output.trim()}`);
        console.error('\nTerraform checks FAILED.');
        return 1;
      }
      console.log(`✔ ${step.name}`);
      for (const line of step.summarise?.(output) ?? []) console.log(`    ${line.trim()}`);
    }
    console.log('Terraform checks passed.');
    return 0;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function reportMissingTerraform(): number {
  if (process.env.CI === 'true') {
    console.error(
      `FAILED: terraform not found, and CI=true forbids skipping. ${TERRAFORM_INSTALL_HINT}`,
    );
    return 1;
  }
  console.log(`SKIPPED Terraform checks: terraform not found. ${TERRAFORM_INSTALL_HINT}`);
  return 0;
}

await runCommand({ name: 'npm run test:terraform' }, main);
