// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${odd}` must reach the CLI config verbatim
/**
 * scripts/lib/terraform.ts against stand-in binaries and mirrors in a temp dir (against the real
 * CLI in test/integration/lib/terraform.test.ts).
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTerraform, offlineEnvironment } from '../../lib/terraform.ts';

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'lib-terraform-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** A shell script that answers `version -json` like Terraform does. */
async function fakeTerraform(name: string, versionJson: string): Promise<string> {
  const path = join(workDir, name);
  await writeFile(path, `#!/bin/sh\necho '${versionJson}'\n`);
  await chmod(path, 0o755);
  return path;
}

describe('findTerraform', () => {
  it('uses TERRAFORM_BIN and reads its version', async () => {
    // Prepare
    const bin = await fakeTerraform('tf-ok', '{"terraform_version":"1.11.4"}');
    // Act
    const tool = await findTerraform({ ...process.env, TERRAFORM_BIN: bin });
    // Assess
    expect(tool).toMatchObject({ bin, version: '1.11.4' });
  });

  it('returns null when TERRAFORM_BIN names no executable', async () => {
    const tool = await findTerraform({ ...process.env, TERRAFORM_BIN: join(workDir, 'missing') });
    expect(tool).toBeNull();
  });

  it('returns null when the binary does not answer like Terraform', async () => {
    const bin = await fakeTerraform('tf-bad', 'not json');
    const tool = await findTerraform({ ...process.env, TERRAFORM_BIN: bin });
    expect(tool).toBeNull();
  });

  it('finds terraform on PATH', async () => {
    // Prepare
    const binDir = join(workDir, 'bin');
    await mkdir(binDir, { recursive: true });
    const bin = await fakeTerraform(join('bin', 'terraform'), '{"terraform_version":"1.12.0"}');
    const { TERRAFORM_BIN: _ignored, ...env } = process.env;
    // Act
    const tool = await findTerraform({ ...env, PATH: binDir });
    // Assess
    expect(tool).toMatchObject({ bin, version: '1.12.0' });
  });

  it('takes the provider mirror from TF_PLUGIN_DIR when it holds hashicorp/aws', async () => {
    // Prepare
    const mirror = join(workDir, 'mirror');
    await mkdir(join(mirror, 'registry.terraform.io', 'hashicorp', 'aws', '5.100.0'), {
      recursive: true,
    });
    const bin = await fakeTerraform('tf-mirror', '{"terraform_version":"1.11.4"}');
    // Act
    const tool = await findTerraform({ ...process.env, TERRAFORM_BIN: bin, TF_PLUGIN_DIR: mirror });
    // Assess
    expect(tool?.providerMirror).toBe(mirror);
  });

  it('skips a TF_PLUGIN_DIR without hashicorp/aws', async () => {
    // Prepare
    const empty = join(workDir, 'empty-mirror');
    await mkdir(empty, { recursive: true });
    const bin = await fakeTerraform('tf-empty', '{"terraform_version":"1.11.4"}');
    // Act
    const tool = await findTerraform({ ...process.env, TERRAFORM_BIN: bin, TF_PLUGIN_DIR: empty });
    // Assess
    expect(tool?.providerMirror).not.toBe(empty);
  });
});

describe('offlineEnvironment', () => {
  it('writes a mirror-only CLI config, the path quoted and otherwise verbatim', async () => {
    // Prepare
    const configDir = join(workDir, 'config');
    await mkdir(configDir, { recursive: true });
    // Act
    const env = await offlineEnvironment('/plugins/${odd}/"dir"', configDir, '/data');
    // Assess
    expect(env).toEqual({
      TF_CLI_CONFIG_FILE: join(configDir, 'terraform.rc'),
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      TF_DATA_DIR: '/data',
    });
    const config = await readFile(join(configDir, 'terraform.rc'), 'utf8');
    expect(config).toContain('path    = "/plugins/${odd}/\\"dir\\""');
    expect(config).toContain('include = ["registry.terraform.io/hashicorp/aws"]');
    expect(config).not.toContain('direct');
  });
});
