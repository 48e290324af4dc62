/**
 * A suite whose tool is missing never passes unnoticed: run as a user would run it (a child
 * vitest on the template comparison, with Terraform pointed at nothing), it shows one skipped
 * test naming what to install, and under CI=true it fails.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// vitest's own entry, started with this process's Node.js rather than the first `node` on PATH.
const VITEST = `${REPO_ROOT}node_modules/vitest/vitest.mjs`;
const SUITE = 'tools/local-stack/test/integration/templates.test.ts';

interface Report {
  readonly numFailedTests: number;
  readonly testResults: readonly {
    readonly assertionResults: readonly { readonly title: string; readonly status: string }[];
  }[];
}

/** Runs the suite in a child vitest without Terraform; resolves with its exit code and report. */
function runWithoutTerraform(ci: boolean): Promise<{ code: number; report: Report }> {
  const env: NodeJS.ProcessEnv = { ...process.env, TERRAFORM_BIN: '/nonexistent/terraform' };
  for (const name of Object.keys(env)) if (name.startsWith('VITEST')) delete env[name];
  if (ci) env.CI = 'true';
  else delete env.CI;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [VITEST, 'run', SUITE, '--reporter=json'],
      { cwd: REPO_ROOT, env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        const start = stdout.indexOf('{');
        if (start < 0) {
          reject(error ?? new Error('vitest printed no report'));
          return;
        }
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, report: JSON.parse(stdout.slice(start)) as Report });
      },
    );
  });
}

function titles(report: Report, status: string): string[] {
  return report.testResults.flatMap((file) =>
    file.assertionResults.filter((test) => test.status === status).map((test) => test.title),
  );
}

describe('a suite that needs Terraform, on a machine without it', () => {
  it('is one visible skip that says what to install', async () => {
    // Act
    const { code, report } = await runWithoutTerraform(false);
    // Assess
    expect(code).toBe(0);
    expect(titles(report, 'skipped')).toEqual([
      expect.stringMatching(/^skipped: terraform not found\. Install Terraform/),
    ]);
  });

  it('fails under CI=true', async () => {
    // Act
    const { code, report } = await runWithoutTerraform(true);
    // Assess
    expect(code).not.toBe(0);
    expect(report.numFailedTests).toBe(1);
    expect(titles(report, 'failed')).toEqual([expect.stringMatching(/has the tool it needs/)]);
  });
});
