/**
 * The whole stack through a real API: `terraform apply` of terraform/ against moto_server (behind
 * tools/checks/src/moto/front.ts, which answers what moto lacks and refuses the first bucket
 * policy as S3 may), retried the way `npm run deploy` retries; a second plan that
 * must show nothing but moto's known gaps; then `terraform destroy`, checked by reading every
 * resource back from moto.
 *
 * Two deployments, one after the other: the default in us-east-1 (the S3 website, access logs
 * on), and the production front door in eu-central-1 (CloudFront under a custom name, the
 * WebSocket API under its own, their certificates requested from ACM in us-east-1 and
 * eu-central-1 and validated in a Route 53 zone, the Region's API Gateway logging role managed
 * by the stack).
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
import { createHostedZone } from '../../src/moto/route53.ts';
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
 * Of a CloudFront distribution it drops each origin's OriginAccessControlId, answers legacy
 * ForwardedValues for a cache behaviour that names a cache policy, and CloudFrontDefaultCertificate
 * true beside an ACM certificate. (What moto lacks altogether, tools/checks/src/moto/front.ts
 * answers: see there.)
 */
const KNOWN_GAPS: Readonly<Record<string, readonly string[]>> = {
  'aws_lambda_function.this': ['logging_config'],
  'aws_lambda_function.authorizer[0]': ['logging_config'],
  'aws_sqs_queue.fanout': ['redrive_policy'],
  'aws_cloudfront_distribution.this[0]': ['default_cache_behavior', 'origin', 'viewer_certificate'],
};

/** One way to deploy the stack, and what it must have created. */
interface Deployment {
  readonly name: string;
  /** The stack's Region (the page's certificate always comes from us-east-1). */
  readonly region: string;
  /** Variables beyond the test fixtures; may create what they refer to in moto first. */
  readonly variables: (motoEndpoint: string) => Promise<Record<string, unknown>>;
  /** Refuse the first bucket policy, as S3 may right after the public access block changed. */
  readonly refuseFirstBucketPolicy: boolean;
  /** Resources the apply must create (among others). */
  readonly creates: readonly string[];
  /** Outputs after the apply (a subset). */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** Attributes of resources in the state after the apply (a subset of each). */
  readonly attributes: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** A Route 53 zone the custom names live in, created in moto before the apply. */
const ZONE = 'example.test';

const DEPLOYMENTS: readonly Deployment[] = [
  {
    name: 'the default stack (S3 website, access logs)',
    region: 'us-east-1',
    variables: async () => ({}),
    refuseFirstBucketPolicy: true,
    creates: [
      'aws_apigatewayv2_api.this',
      'aws_apigatewayv2_deployment.this',
      'aws_apigatewayv2_stage.this',
      'aws_cloudwatch_log_group.api_access[0]',
      'aws_lambda_function.this',
      'aws_lambda_event_source_mapping.this',
      'aws_sqs_queue.fanout',
      'aws_sqs_queue.fanout_dlq',
      'aws_dynamodb_table.connections',
      'aws_s3_bucket_policy.this',
      'aws_s3_bucket_website_configuration.this[0]',
      'aws_s3_object.index',
    ],
    outputs: { access_log_group_name: '/aws/apigateway/awsome-chat-websocket/access' },
    attributes: {},
  },
  {
    name: 'the production front door (custom names, certificates validated in Route 53)',
    region: 'eu-central-1',
    variables: async (motoEndpoint) => ({
      enable_https: true,
      domain_name: `chat.${ZONE}`,
      route53_zone_id: await createHostedZone(motoEndpoint, ZONE),
      manage_apigateway_account: true,
    }),
    refuseFirstBucketPolicy: false,
    creates: [
      'aws_acm_certificate.page[0]',
      'aws_acm_certificate.websocket[0]',
      'aws_acm_certificate_validation.page[0]',
      'aws_acm_certificate_validation.websocket[0]',
      'aws_route53_record.certificate_validation["page"]',
      'aws_route53_record.certificate_validation["websocket"]',
      'aws_cloudfront_distribution.this[0]',
      'aws_apigatewayv2_domain_name.this[0]',
      'aws_apigatewayv2_api_mapping.this[0]',
      'aws_route53_record.page["A"]',
      'aws_route53_record.page["AAAA"]',
      'aws_route53_record.websocket[0]',
      'aws_iam_role_policy.apigateway_cloudwatch[0]',
      'aws_api_gateway_account.this[0]',
    ],
    outputs: {
      website_url: `https://chat.${ZONE}`,
      websocket_url: `wss://ws.chat.${ZONE}`,
    },
    attributes: {
      // Each certificate from the Region that takes it: CloudFront's from us-east-1 (through the
      // provider alias), API Gateway's from the stack's own.
      'aws_acm_certificate.page[0]': { arn: expect.stringMatching(/^arn:aws:acm:us-east-1:/) },
      'aws_acm_certificate.websocket[0]': {
        arn: expect.stringMatching(/^arn:aws:acm:eu-central-1:/),
      },
      'aws_cloudfront_distribution.this[0]': { aliases: [`chat.${ZONE}`] },
      'aws_apigatewayv2_api_mapping.this[0]': { stage: 'prod' },
    },
  },
  {
    name: 'sign-in with Cognito (auth_mode = "cognito", the page over HTTPS)',
    region: 'eu-west-1',
    variables: async () => ({ enable_https: true, auth_mode: 'cognito' }),
    refuseFirstBucketPolicy: false,
    creates: [
      'aws_cognito_user_pool.this[0]',
      'aws_cognito_user_pool_client.this[0]',
      'aws_cognito_user_pool_domain.this[0]',
      'aws_cloudwatch_log_group.authorizer[0]',
      'aws_iam_role.authorizer[0]',
      'aws_iam_role_policy.authorizer[0]',
      'aws_lambda_function.authorizer[0]',
      'aws_apigatewayv2_authorizer.this[0]',
      'aws_lambda_permission.authorizer[0]',
    ],
    outputs: {
      cognito_user_pool_id: expect.stringMatching(/^eu-west-1_[0-9A-Za-z]+$/),
      cognito_managed_login_url: expect.stringMatching(
        /^https:\/\/chat-[0-9a-z]+\.auth\.eu-west-1\.amazoncognito\.com$/,
      ),
      sign_in_redirect_url: expect.stringMatching(/^https:\/\/[0-9a-z]+\.cloudfront\.net\/$/),
    },
    attributes: {
      'aws_apigatewayv2_route.this["$connect"]': { authorization_type: 'CUSTOM' },
      'aws_apigatewayv2_route.this["$default"]': { authorization_type: 'NONE' },
      'aws_apigatewayv2_authorizer.this[0]': {
        authorizer_type: 'REQUEST',
        identity_sources: ['route.request.header.Sec-WebSocket-Protocol'],
      },
      'aws_cognito_user_pool_domain.this[0]': { managed_login_version: 1 },
      'aws_lambda_function.authorizer[0]': {
        environment: [{ variables: { AUTH_MODE: 'cognito' } }],
      },
    },
  },
];

/**
 * Resources that exist as long as the account does, so reading them back after destroy still
 * finds them: destroy resets the API Gateway account's CloudWatch role rather than deleting it.
 */
const ACCOUNT_SETTINGS = ['aws_api_gateway_account.this[0]'];

/** One resource in `terraform show -json` output. */
interface StateResource {
  readonly address: string;
  readonly mode: 'managed' | 'data';
  readonly values: Record<string, unknown>;
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

    beforeAll(async () => {
      // ACM issues a certificate as soon as it is asked again, as AWS does once the validation
      // record is in place (moto's default makes the validation wait 60 s).
      moto = await startMotoServer(found.motoServer, { MOTO_ACM_VALIDATION_WAIT: '0' });
      shim = await startMotoFront(moto.endpoint);
      workDir = await mkdtemp(join(tmpdir(), 'awsome-chat-moto-'));
    }, 120_000);

    afterAll(async () => {
      await shim?.stop();
      await moto?.stop();
      if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
    });

    DEPLOYMENTS.forEach((deployment, index) => {
      let stackDir: string;
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

      async function stateResources(cwd = moduleDir): Promise<StateResource[]> {
        const state = JSON.parse(await terraformOk(['show', '-json'], cwd)) as {
          values?: { root_module?: { resources?: StateResource[] } };
        };
        return (state.values?.root_module?.resources ?? []).filter(
          (resource) => resource.mode === 'managed',
        );
      }

      async function stateAddresses(cwd = moduleDir): Promise<string[]> {
        return (await stateResources(cwd)).map((resource) => resource.address).sort();
      }

      it(`${deployment.name}: creates every planned resource`, async () => {
        // Prepare: a staged copy pointed at moto, and what a first apply creates.
        stackDir = join(workDir, `stack-${index}`);
        moduleDir = await stageConfiguration(repoRoot, join(stackDir, 'repo'));
        await writeFile(join(moduleDir, 'moto_override.tf'), motoProviders(deployment.region));
        await writeFile(
          join(moduleDir, 'moto.auto.tfvars.json'),
          JSON.stringify({
            aws_region: deployment.region,
            lambda_zip_path: 'tests/fixtures/lambda-package.stub',
            authorizer_zip_path: 'tests/fixtures/authorizer-package.stub',
            website_dir: 'tests/fixtures/site',
            ...(await deployment.variables(shim.endpoint)),
          }),
        );
        env = {
          ...(await terraformEnvironment(tool, stackDir)),
          AWS_ENDPOINT_URL: shim.endpoint,
          AWS_ACCESS_KEY_ID: 'moto',
          AWS_SECRET_ACCESS_KEY: 'moto',
          AWS_REGION: deployment.region,
          AWS_PROFILE: '',
          AWS_CONFIG_FILE: join(stackDir, 'no-aws-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(stackDir, 'no-aws-credentials'),
        };
        await terraformOk(['init', '-input=false', '-backend=false']);
        const plan = await planJson([]);
        createdAddresses = (plan.resource_changes ?? [])
          .filter((change) => change.mode === 'managed')
          .map((change) => {
            expect(change.change.actions, change.address).toEqual(['create']);
            return change.address;
          })
          .sort();
        const refusedBefore = shim.refusedBucketPolicies;
        if (deployment.refuseFirstBucketPolicy) shim.refuseBucketPolicies(1);
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
        const refused = deployment.refuseFirstBucketPolicy ? 1 : 0;
        expect(shim.refusedBucketPolicies - refusedBefore).toBe(refused);
        expect(retries).toHaveLength(refused);
        expect(createdAddresses).toEqual(expect.arrayContaining([...deployment.creates]));
        expect(await stateAddresses()).toEqual(createdAddresses);
        // One deployment of this stack's API, made through the shim (moto has none of its own).
        expect(
          [...shim.deployments.values()]
            .filter((ofApi) => ofApi.size > 0)
            .map((ofApi) => ofApi.size),
        ).toEqual([1]);
        const outputs = JSON.parse(await terraformOk(['output', '-json'])) as Record<
          string,
          { value: unknown }
        >;
        for (const [name, value] of Object.entries(deployment.outputs)) {
          expect(outputs[name]?.value, name).toEqual(value);
        }
        const resources = await stateResources();
        for (const [address, attributes] of Object.entries(deployment.attributes)) {
          const applied = resources.find((resource) => resource.address === address);
          expect(applied?.values, address).toMatchObject(attributes);
        }
      }, 600_000);

      it(`${deployment.name}: plans nothing more on a second plan, beyond what moto does not keep`, async () => {
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

      it(`${deployment.name}: destroys every resource it created`, async () => {
        // Prepare: a copy of the applied state, to read the destroyed resources back afterwards.
        await copyFile(join(moduleDir, 'terraform.tfstate'), join(stackDir, 'applied.tfstate'));
        // Act
        await terraformOk(['destroy', '-input=false', '-auto-approve']);
        // Assess: nothing left in the state, no deployment in the shim...
        expect(await stateAddresses()).toEqual([]);
        expect([...shim.deployments.values()].every((ofApi) => ofApi.size === 0)).toBe(true);
        // ...and refreshing the applied state finds every resource gone from moto. In a folder with
        // only the providers: the stack's own expressions need resources that no longer exist.
        const readBackDir = join(stackDir, 'read-back');
        await mkdir(readBackDir);
        await copyFile(join(moduleDir, 'versions.tf'), join(readBackDir, 'versions.tf'));
        await writeFile(join(readBackDir, 'providers.tf'), motoProviders(deployment.region));
        await copyFile(join(stackDir, 'applied.tfstate'), join(readBackDir, 'terraform.tfstate'));
        await terraformOk(['init', '-input=false', '-backend=false'], readBackDir);
        const refresh = await planJson(['-refresh-only'], readBackDir);
        const gone = (refresh.resource_drift ?? [])
          .filter((drift) => drift.mode === 'managed' && drift.change.actions.join() === 'delete')
          .map((drift) => drift.address)
          .sort();
        expect(gone).toEqual(
          createdAddresses.filter((address) => !ACCOUNT_SETTINGS.includes(address)),
        );
      }, 600_000);
    });
  },
);

/**
 * Both provider configurations (providers.tf's default, in the stack's Region, and its us-east-1
 * alias), merged into the stack's or standing alone for the read-back: path-style S3 (moto has no
 * bucket subdomains), no instance metadata, no credential check.
 */
function motoProviders(region: string): string {
  return [
    { alias: null, region },
    { alias: 'us_east_1', region: 'us-east-1' },
  ]
    .map((provider) =>
      [
        'provider "aws" {',
        ...(provider.alias === null ? [] : [`  alias                       = "${provider.alias}"`]),
        `  region                      = "${provider.region}"`,
        '  s3_use_path_style           = true',
        '  skip_metadata_api_check     = true',
        '  skip_credentials_validation = true',
        '}',
        '',
      ].join('\n'),
    )
    .join('\n');
}

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
