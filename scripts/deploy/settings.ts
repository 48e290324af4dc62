/**
 * Reads the variables the deploy checks depend on the way Terraform will resolve them for the
 * apply: `terraform console` with the same `-var`/`-var-file` arguments, so terraform.tfvars,
 * *.auto.tfvars and defaults all count.
 */
import { stripVTControlCharacters } from 'node:util';
import { runTerraform, type TerraformTool } from '../lib/terraform.ts';

/** The variables the checks need. */
export interface DeploySettings {
  /** `var.aws_region`: null means Terraform takes the region from the environment. */
  readonly region: string | null;
  readonly enableHttps: boolean;
  /** `var.enable_access_logs`: the stage writes access logs with the Region's CloudWatch role. */
  readonly enableAccessLogs: boolean;
  /** `var.manage_apigateway_account`: the stack sets that role itself. */
  readonly manageApigatewayAccount: boolean;
}

/** The variable each setting is, typed so that a new setting cannot go unread. */
const VARIABLES: Readonly<Record<keyof DeploySettings, string>> = {
  region: 'aws_region',
  enableHttps: 'enable_https',
  enableAccessLogs: 'enable_access_logs',
  manageApigatewayAccount: 'manage_apigateway_account',
};

/** One console line printing every setting as a JSON document. */
const SETTINGS_EXPRESSION = `jsonencode({ ${Object.entries(VARIABLES)
  .map(([key, variable]) => `${key} = var.${variable}`)
  .join(', ')} })`;

/** Terraform could not evaluate the variables (a bad value, a missing file). */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/**
 * Evaluates `var.aws_region`, `var.enable_https`, `var.enable_access_logs` and
 * `var.manage_apigateway_account` in an initialised `moduleDir`.
 * @param terraformArgs - everything the user gave for `terraform apply`; only variables are used
 * @throws SettingsError with Terraform's own message
 */
export async function readDeploySettings(
  tool: TerraformTool,
  moduleDir: string,
  env: Record<string, string>,
  terraformArgs: readonly string[],
): Promise<DeploySettings> {
  const result = await runTerraform(tool, ['console', ...variableArgs(terraformArgs)], {
    cwd: moduleDir,
    env,
    input: `${SETTINGS_EXPRESSION}\n`,
  });
  // The console reports a value its validation rejects, yet still prints the value and exits 0.
  const output = stripVTControlCharacters(`${result.stderr}\n${result.stdout}`);
  if (result.exitCode !== 0 || /^\W*Error: /m.test(output)) throw new SettingsError(output.trim());
  // It prints the JSON document as an HCL string: decode the string, then the document.
  const lastLine = result.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(JSON.parse(lastLine) as string) as DeploySettings;
  } catch {
    throw new SettingsError(`terraform console printed no settings:\n${output.trim()}`);
  }
}

/** The `-var` and `-var-file` arguments among `args`, in either spelling (`-var x=1`, `-var=x=1`). */
export function variableArgs(args: readonly string[]): string[] {
  const picked: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    if (/^--?var(-file)?=/.test(arg)) {
      picked.push(arg);
    } else if (/^--?var(-file)?$/.test(arg) && index + 1 < args.length) {
      picked.push(arg, args[index + 1] as string);
      index += 1;
    }
  }
  return picked;
}
