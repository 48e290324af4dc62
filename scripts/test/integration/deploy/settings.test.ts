/**
 * The deploy checks read aws_region, enable_https, enable_access_logs and
 * manage_apigateway_account through `terraform console` on the real configuration, so defaults, terraform.tfvars and -var arguments count as they do for the apply.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readDeploySettings, SettingsError } from '../../../deploy/settings.ts';
import {
  findTerraform,
  runTerraform,
  stageConfiguration,
  TERRAFORM_INSTALL_HINT,
  terraformEnvironment,
} from '../../../lib/terraform.ts';
import { describeWithTool } from '../../support/needs-tool.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const terraform = await findTerraform();

describeWithTool(
  'readDeploySettings',
  terraform,
  `terraform not found. ${TERRAFORM_INSTALL_HINT}`,
  (tool) => {
    let workDir: string;
    let moduleDir: string;
    let env: Record<string, string>;

    beforeAll(async () => {
      workDir = await mkdtemp(join(tmpdir(), 'deploy-settings-'));
      moduleDir = await stageConfiguration(repoRoot, join(workDir, 'repo'));
      env = await terraformEnvironment(tool, workDir);
      const init = await runTerraform(tool, ['init', '-backend=false', '-input=false'], {
        cwd: moduleDir,
        env,
      });
      expect(init.exitCode, init.stderr).toBe(0);
      // What a user's terraform.tfvars would say; the build's paths point at the test fixtures.
      await writeFile(
        join(moduleDir, 'terraform.tfvars'),
        'lambda_zip_path = "tests/fixtures/lambda-package.stub"\nwebsite_dir = "tests/fixtures/site"\n',
      );
      await writeFile(join(moduleDir, 'https.tfvars'), 'enable_https = true\n');
    }, 120_000);

    afterAll(async () => {
      if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
    });

    it.each([
      ['the defaults: region from the environment, the S3 website', ['-auto-approve'], null, false],
      [
        '-var arguments, ignoring the others',
        ['-auto-approve', '-var', 'aws_region=eu-west-3', '-var=enable_https=true'],
        'eu-west-3',
        true,
      ],
      ['a -var-file', ['-var-file=https.tfvars'], null, true],
    ] as const)('reads %s', async (_case, args, region, enableHttps) => {
      const settings = await readDeploySettings(tool, moduleDir, env, args);
      expect(settings).toEqual({
        region,
        enableHttps,
        enableAccessLogs: true,
        manageApigatewayAccount: false,
      });
    });

    it.each([
      [['-var', 'manage_apigateway_account=true'], true, true],
      [['-var=enable_access_logs=false'], false, false],
    ] as const)('reads the access log settings from %o', async (args, accessLogs, manage) => {
      const settings = await readDeploySettings(tool, moduleDir, env, args);
      expect(settings).toMatchObject({
        enableAccessLogs: accessLogs,
        manageApigatewayAccount: manage,
      });
    });

    it("reports Terraform's own error for a value the variable rejects", async () => {
      const failure = await readDeploySettings(tool, moduleDir, env, [
        '-var',
        'aws_region=Paris',
      ]).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(SettingsError);
      expect((failure as SettingsError).message).toContain('aws_region must be a region code');
    });
  },
);
