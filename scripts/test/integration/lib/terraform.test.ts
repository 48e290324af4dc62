/**
 * scripts/lib/terraform.ts against the real CLI fed through stdin, where this machine has
 * Terraform and a provider mirror.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  findTerraform,
  offlineEnvironment,
  runTerraform,
  TERRAFORM_INSTALL_HINT,
} from '../../../lib/terraform.ts';
import { describeWithTool } from '../../support/needs-tool.ts';

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'lib-terraform-real-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

const withMirror = await findTerraform().then((tool) =>
  tool?.providerMirror == null ? null : { ...tool, providerMirror: tool.providerMirror },
);

describeWithTool(
  'runTerraform with the real CLI',
  withMirror,
  `terraform or its provider mirror not found. ${TERRAFORM_INSTALL_HINT} ` +
    'Point TF_PLUGIN_DIR at a mirror holding hashicorp/aws.',
  (tool) => {
    it('feeds stdin to terraform console and reports a failing command', async () => {
      // Prepare
      const dir = await mkdtemp(join(workDir, 'console-'));
      const env = await offlineEnvironment(tool.providerMirror, dir, join(dir, 'data'));
      // Act
      const rendered = await runTerraform(tool, ['console'], {
        cwd: dir,
        env,
        input: 'jsonencode({ a = "<b>" })\n',
      });
      const failed = await runTerraform(tool, ['no-such-command'], { cwd: dir, env });
      // Assess
      expect(rendered).toMatchObject({
        exitCode: 0,
        stdout: '"{\\"a\\":\\"\\\\u003cb\\\\u003e\\"}"\n',
      });
      expect(failed.exitCode).not.toBe(0);
    });
  },
);
