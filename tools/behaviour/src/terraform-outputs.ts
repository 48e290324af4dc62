/**
 * `--stack DIR`: the deployed stack's outputs, read with `terraform output -json` in the folder
 * that holds its state, as `npm run deploy` left it. Nothing is planned or applied.
 */
import { stat } from 'node:fs/promises';
import { CommandError } from '../../../scripts/lib/command.ts';
import {
  findTerraform,
  runTerraform,
  TERRAFORM_INSTALL_HINT,
} from '../../../scripts/lib/terraform.ts';
import { outputsOf, type StackOutputs } from './deployed-settings.ts';

/**
 * Runs `terraform output -json` in `dir` and reads the URLs and the connections table.
 * @param dir - the Terraform folder with the stack's state, e.g. `terraform/`
 * @param env - where to look for Terraform (TERRAFORM_BIN, PATH)
 * @returns the outputs
 * @throws CommandError when there is no such folder, no Terraform, or no outputs
 */
export async function readStackOutputs(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StackOutputs> {
  const isFolder = await stat(dir).then(
    (found) => found.isDirectory(),
    () => false,
  );
  if (!isFolder) throw new CommandError(`--stack ${dir} is not a folder`);
  const tool = await findTerraform(env);
  if (tool === null) {
    throw new CommandError(
      `--stack needs Terraform to read the outputs. ${TERRAFORM_INSTALL_HINT} Or pass ` +
        '--url and --site instead',
    );
  }
  const result = await runTerraform(tool, ['output', '-json'], { cwd: dir });
  if (result.exitCode !== 0) {
    const reason =
      result.stderr
        .trim()
        .split('\n')
        .find((line) => line.trim() !== '') ?? '';
    throw new CommandError(`terraform output -json failed in ${dir}: ${reason.trim()}`);
  }
  return outputsOf(result.stdout, dir);
}
