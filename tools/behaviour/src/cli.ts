/**
 * `npm run test:deployed`: the behaviour suite (tools/behaviour/suite), which `npm test` runs
 * against the local stack, run against a deployed stack instead. It finds the stack (its
 * Terraform outputs, or two URLs), checks that its page answers and names the same WebSocket URL,
 * then runs the suite's files one after the other in one process (all of the runner's clients
 * share one budget on AWS, and one mirror of it here), and ends with the tests it skipped and
 * why, and what the run used and cost.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVitest } from 'vitest/node';
import { runCommand } from '../../../scripts/lib/command.ts';
import { type DeployedSettings, SETTINGS_VARIABLE, SettingsError } from './deployed-settings.ts';
import { deployedTarget } from './deployed-target.ts';
import { HELP, parseDeployedRunOptions } from './options.ts';
import { PageConfigError } from './page-config.ts';
import { RunReport } from './run-report.ts';
import { newRunId, RUN_ID_VARIABLE } from './target.ts';
import { readStackOutputs } from './terraform-outputs.ts';
import { USAGE_FILE_VARIABLE } from './usage.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SUITE = 'tools/behaviour/suite/**/*.test.ts';

async function main(argv: readonly string[]): Promise<number> {
  const options = parseDeployedRunOptions(argv);
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const outputs =
    options.source.kind === 'terraform'
      ? await readStackOutputs(options.source.dir)
      : { ...options.source, tableName: undefined };
  const settings: DeployedSettings = {
    websocketUrl: outputs.websocketUrl,
    siteUrl: outputs.siteUrl,
    tableName: options.tableName ?? outputs.tableName,
    region: options.region,
    rateLimit: options.rateLimit,
    clientAddress: options.clientAddress,
  };
  // Reaching the stack once here fails fast, in one line, on a wrong URL or a page of another
  // stack, before any test runs.
  const target = await deployedTarget(settings);
  await target.stop();
  const runId = newRunId();
  process.stdout.write(`Testing ${target.description}, in rooms bt-${runId}-*\n`);

  const usageDir = await mkdtemp(join(tmpdir(), 'behaviour-'));
  try {
    process.env[SETTINGS_VARIABLE] = JSON.stringify(settings);
    process.env[RUN_ID_VARIABLE] = runId;
    process.env[USAGE_FILE_VARIABLE] = join(usageDir, 'usage.jsonl');
    const report = new RunReport(join(usageDir, 'usage.jsonl'), (text) =>
      process.stdout.write(text),
    );
    const vitest = await startVitest('test', [...options.only], {
      root: REPO_ROOT,
      include: [SUITE],
      watch: false,
      // One file at a time, all in one process: on AWS every client of the runner spends from
      // one budget, mirrored once for the whole run.
      fileParallelism: false,
      isolate: false,
      testTimeout: 180_000,
      hookTimeout: 120_000,
      reporters: ['default', report],
    });
    await vitest.close();
    return report.passed ? 0 : 1;
  } finally {
    await rm(usageDir, { recursive: true, force: true });
  }
}

await runCommand(
  {
    name: 'npm run test:deployed',
    usageHint: 'Run `npm run test:deployed -- --help` for the options.',
    expected: [SettingsError, PageConfigError],
  },
  () => main(process.argv.slice(2)),
);
// vitest may leave handles open (its workers, the browser's pipes): the run is over.
process.exit();
