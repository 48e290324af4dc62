/**
 * The whole stack through a real API: `terraform apply` of terraform/ against moto_server (behind
 * tools/checks/src/moto/front.ts, which answers the API Gateway v2 deployments moto lacks and refuses the
 * first bucket policy as S3 may), retried the way `npm run deploy` retries; a second plan that
 * must show nothing but moto's known gaps; then `terraform destroy`, checked by reading every
 * resource back from moto.
 *
 * Needs Terraform and moto_server; without either the suite is skipped with what to install, and
 * under CI=true it fails instead. Uses the same offline provider mirror as `npm run test:terraform`.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyRetryingBucketPolicyRace } from '../../../../scripts/deploy/bucket-policy-race.ts';
import {
  findTerraform,
  runTerraform,
  stageConfiguration,
  TERRAFORM_INSTALL_HINT,
  type TerraformTool,
  terraformEnvironment,
} from '../../../../scripts/lib/terraform.ts';
import { describeWithTool } from '../../../../scripts/test/support/needs-tool.ts';
import { type MotoFront, startMotoFront } from '../../src/moto/front.ts';
import {
  findMotoServer,
  MOTO_INSTALL_HINT,
  type MotoServer,
  startMotoServer,
} from '../../src/moto/server.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const terraform = await findTerraform();
const motoServer = await findMotoServer();
const tools = terraform !== null && motoServer !== null ? { terraform, motoServer } : null;
const missing = [
  ...(terraform === null ? [`terraform (${TERRAFORM_INSTALL_HINT})`] : []),
  ...(motoServer === null ? [`moto_server (${MOTO_INSTALL_HINT})`] : []),
].join(' and ');

/**
 * What moto does not keep as AWS does, so a second plan against it shows them again; nothing else
 * may change. moto stores no LoggingConfig on a function (the provider plans to set it again), and
 * returns a queue's RedrivePolicy re-serialised with spaces, which the provider compares as text.
 * (moto also drops a stage's deploymentId; tools/checks/src/moto/front.ts keeps it.)
 */
const KNOWN_GAPS: Readonly<Record<string, readonly string[]>> = {
  'aws_lambda_function.this': ['logging_config'],
  'aws_sqs_queue.fanout': ['redrive_policy'],
};

/** One resource in `terraform show -json` output. */
interface StateResource {
  readonly address: string;
  readonly mode: 'managed' | 'data';
}

/** One entry of a plan's resource_changes (or resource_drift). */
interface ResourceChange {
  readonly address: string;
  readonly mode: 'managed' | 'data';
  readonly change: {
    readonly actions: readonly string[];
    readonly before: Record<string, unknown> | null;
    readonly after: Record<string, unknown> | null;
    readonly after_unknown?: Record<string, unknown>;
  };
}

interface PlanJson {
  readonly resource_changes?: readonly ResourceChange[];
  readonly resource_drift?: readonly ResourceChange[];
}

describeWithTool(
  'terraform apply, plan and destroy against moto',
  tools,
  `The apply test against moto needs ${missing}`,
  (found) => {
    const tool: TerraformTool = found.terraform;
    let moto: MotoServer;
    let shim: MotoFront;
    let workDir: string;
    let moduleDir: string;
    let env: Record<string, string>;
    let createdAddresses: string[] = [];

    /** Runs terraform in the staged module; throws with its output unless it exits 0. */
    async function terraformOk(args: readonly string[], cwd = moduleDir): Promise<string> {
      const result = await runTerraform(tool, [...args, '-no-color'], { cwd, env });
      if (result.exitCode !== 0) {
        throw new Error(`terraform ${args.join(' ')} failed:\n${result.stderr}`);
      }
      return result.stdout;
    }

    async function planJson(args: readonly string[], cwd = moduleDir): Promise<PlanJson> {
      await terraformOk(['plan', '-input=false', '-out=moto.tfplan', ...args], cwd);
      return JSON.parse(await terraformOk(['show', '-json', 'moto.tfplan'], cwd)) as PlanJson;
    }

    async function stateAddresses(cwd = moduleDir): Promise<string[]> {
      const state = JSON.parse(await terraformOk(['show', '-json'], cwd)) as {
        values?: { root_module?: { resources?: StateResource[] } };
      };
      return (state.values?.root_module?.resources ?? [])
        .filter((resource) => resource.mode === 'managed')
        .map((resource) => resource.address)
        .sort();
    }

    beforeAll(async () => {
      moto = await startMotoServer(found.motoServer);
      shim = await startMotoFront(moto.endpoint);
      workDir = await mkdtemp(join(tmpdir(), 'awsome-chat-moto-'));
      moduleDir = await stageConfiguration(repoRoot, join(workDir, 'repo'));
      // Merged into providers.tf's provider block: path-style S3 (moto has no bucket subdomains).
      await writeFile(
        join(moduleDir, 'moto_override.tf'),
        [
          'provider "aws" {',
          '  region                      = "us-east-1"',
          '  s3_use_path_style           = true',
          '  skip_metadata_api_check     = true',
          '  skip_credentials_validation = true',
          '}',
          '',
        ].join('\n'),
      );
      await writeFile(
        join(moduleDir, 'moto.auto.tfvars.json'),
        JSON.stringify({
          aws_region: 'us-east-1',
          lambda_zip_path: 'tests/fixtures/lambda-package.stub',
          website_dir: 'tests/fixtures/site',
        }),
      );
      env = {
        ...(await terraformEnvironment(tool, workDir)),
        AWS_ENDPOINT_URL: shim.endpoint,
        AWS_ACCESS_KEY_ID: 'moto',
        AWS_SECRET_ACCESS_KEY: 'moto',
        AWS_REGION: 'us-east-1',
        AWS_PROFILE: '',
        AWS_CONFIG_FILE: join(workDir, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'no-aws-credentials'),
      };
      await terraformOk(['init', '-input=false', '-backend=false']);
    }, 120_000);

    afterAll(async () => {
      await shim?.stop();
      await moto?.stop();
      if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
    });

    it('creates every planned resource, applying again after S3 refused the bucket policy', async () => {
      // Prepare: what a first apply creates; S3 refuses the first bucket policy, as it may on AWS
      // right after the public access block changed.
      const plan = await planJson([]);
      createdAddresses = (plan.resource_changes ?? [])
        .filter((change) => change.mode === 'managed')
        .map((change) => {
          expect(change.change.actions, change.address).toEqual(['create']);
          return change.address;
        })
        .sort();
      shim.refuseBucketPolicies(1);
      const retries: string[] = [];
      // Act: as npm run deploy applies.
      const result = await applyRetryingBucketPolicyRace(
        async () => {
          const attempt = await runTerraform(
            tool,
            ['apply', '-input=false', '-auto-approve', '-no-color'],
            { cwd: moduleDir, env },
          );
          return { exitCode: attempt.exitCode, output: `${attempt.stdout}${attempt.stderr}` };
        },
        { delayMs: 0, log: (line) => retries.push(line) },
      );
      // Assess
      expect(result.exitCode, result.output).toBe(0);
      expect(shim.refusedBucketPolicies).toBe(1);
      expect(retries).toHaveLength(1);
      expect(createdAddresses).toEqual(
        expect.arrayContaining([
          'aws_apigatewayv2_api.this',
          'aws_apigatewayv2_deployment.this',
          'aws_apigatewayv2_stage.this',
          'aws_lambda_function.this',
          'aws_lambda_event_source_mapping.this',
          'aws_sqs_queue.fanout',
          'aws_sqs_queue.fanout_dlq',
          'aws_dynamodb_table.connections',
          'aws_s3_bucket_policy.this',
          'aws_s3_object.index',
        ]),
      );
      expect(await stateAddresses()).toEqual(createdAddresses);
      expect([...shim.deployments.values()].map((ofApi) => ofApi.size)).toEqual([1]);
    }, 600_000);

    it('plans nothing more on a second plan, beyond what moto does not keep', async () => {
      // Act: the plan refreshes every resource from moto first.
      const plan = await planJson([]);
      // Assess
      const changes = (plan.resource_changes ?? []).filter(
        (change) => change.mode === 'managed' && change.change.actions.join() !== 'no-op',
      );
      const unexpected = changes.flatMap((change) => {
        expect(change.change.actions, change.address).toEqual(['update']);
        const allowed = KNOWN_GAPS[change.address] ?? [];
        return changedAttributes(change)
          .filter((attribute) => !allowed.includes(attribute))
          .map((attribute) => `${change.address}.${attribute}`);
      });
      expect(unexpected).toEqual([]);
    }, 600_000);

    it('destroys every resource it created', async () => {
      // Prepare: a copy of the applied state, to read the destroyed resources back afterwards.
      await copyFile(join(moduleDir, 'terraform.tfstate'), join(workDir, 'applied.tfstate'));
      // Act
      await terraformOk(['destroy', '-input=false', '-auto-approve']);
      // Assess: nothing left in the state, no deployment in the shim...
      expect(await stateAddresses()).toEqual([]);
      expect([...shim.deployments.values()].every((ofApi) => ofApi.size === 0)).toBe(true);
      // ...and refreshing the applied state finds every resource gone from moto. In a folder with
      // only the provider: the stack's own expressions need resources that no longer exist.
      const readBackDir = join(workDir, 'read-back');
      await mkdir(readBackDir);
      await copyFile(join(moduleDir, 'versions.tf'), join(readBackDir, 'versions.tf'));
      await copyFile(join(moduleDir, 'moto_override.tf'), join(readBackDir, 'provider.tf'));
      await copyFile(join(workDir, 'applied.tfstate'), join(readBackDir, 'terraform.tfstate'));
      await terraformOk(['init', '-input=false', '-backend=false'], readBackDir);
      const refresh = await planJson(['-refresh-only'], readBackDir);
      const gone = (refresh.resource_drift ?? [])
        .filter((drift) => drift.mode === 'managed' && drift.change.actions.join() === 'delete')
        .map((drift) => drift.address)
        .sort();
      expect(gone).toEqual(createdAddresses);
    }, 600_000);
  },
);

/** Top-level attributes whose planned value differs from the refreshed one. */
function changedAttributes(change: ResourceChange): string[] {
  const before = change.change.before ?? {};
  const after = change.change.after ?? {};
  const unknown = change.change.after_unknown ?? {};
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names]
    .filter(
      (name) =>
        unknown[name] === true || JSON.stringify(before[name]) !== JSON.stringify(after[name]),
    )
    .sort();
}
