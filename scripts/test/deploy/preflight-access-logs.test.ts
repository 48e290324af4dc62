/**
 * The deploy check for access logs: the Region's API Gateway account settings must name the
 * CloudWatch Logs role API Gateway writes them with (GetAccount's cloudwatchRoleArn), unless the
 * stack sets it itself. The SDK clients are mocked here; the same check against moto_server is in
 * test/integration/deploy/preflight.test.ts.
 */
import { APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkBeforeDeploy,
  type PreflightClients,
  type PreflightOptions,
} from '../../deploy/preflight.ts';
import { failureOf, preflightOptions } from '../support/preflight.ts';

const sts = mockClient(STSClient);
const apiGateway = mockClient(APIGatewayClient);

const ROLE_ARN = 'arn:aws:iam::111122223333:role/apigateway-cloudwatch-logs';

const clients = (region: string): PreflightClients => ({
  sts: new STSClient({ region }),
  s3Control: new S3ControlClient({ region }),
  apiGateway: new APIGatewayClient({ region }),
});

/** A deployment over HTTPS (no S3 account check) with the defaults: access logs on, no role set. */
const options = (overrides: Partial<PreflightOptions> = {}): PreflightOptions =>
  preflightOptions({
    publicWebsite: false,
    accessLogs: true,
    manageApigatewayAccount: false,
    clients,
    ...overrides,
  });

beforeEach(() => {
  sts.on(GetCallerIdentityCommand).resolves({
    Account: '111122223333',
    Arn: 'arn:aws:iam::111122223333:user/ada',
  });
});

afterEach(() => {
  sts.reset();
  apiGateway.reset();
});

describe('the CloudWatch Logs role for access logs', () => {
  it('passes when the Region names a role', async () => {
    // Prepare
    apiGateway.on(GetAccountCommand).resolves({ cloudwatchRoleArn: ROLE_ARN });
    // Act
    const report = await checkBeforeDeploy(options());
    // Assess
    expect(report).toEqual({
      region: 'eu-central-1',
      account: '111122223333',
      arn: 'arn:aws:iam::111122223333:user/ada',
      notes: [],
    });
    expect(apiGateway.commandCalls(GetAccountCommand)).toHaveLength(1);
  });

  it.each([
    ['omits the role', {}],
    ['answers an empty role', { cloudwatchRoleArn: '' }],
  ])('stops, naming both variables, when the Region %s', async (_case, answer) => {
    // Prepare
    apiGateway.on(GetAccountCommand).resolves(answer);
    // Act
    const message = await failureOf(checkBeforeDeploy(options()));
    // Assess
    expect(message).toBe(
      "Region eu-central-1's API Gateway settings name no CloudWatch Logs role, which the access " +
        'logs need: deploy with `npm run deploy -- -var manage_apigateway_account=true` (this ' +
        "stack then owns the Region's setting: only where no other stack sets it), set a role " +
        'yourself (`aws apigateway update-account`, docs/deploy.md, Prerequisites), or deploy ' +
        'without access logs (`npm run deploy -- -var enable_access_logs=false`).',
    );
    expect(message).not.toContain('\n');
  });

  it.each([
    ['access logs are off', { accessLogs: false }],
    ['the stack sets the role itself', { manageApigatewayAccount: true }],
  ])('does not ask API Gateway when %s', async (_case, overrides) => {
    // Prepare: a Region without a role, which must not matter here.
    apiGateway.on(GetAccountCommand).resolves({});
    // Act
    const report = await checkBeforeDeploy(options(overrides));
    // Assess
    expect(report.notes).toEqual([]);
    expect(apiGateway.commandCalls(GetAccountCommand)).toHaveLength(0);
  });

  it('goes on with a note when the principal may not read the setting', async () => {
    // Prepare: what API Gateway answers a principal without apigateway:GET on /account.
    apiGateway
      .on(GetAccountCommand)
      .rejects(
        Object.assign(
          new Error(
            'User: arn:aws:iam::111122223333:user/ada is not authorized to perform: apigateway:GET',
          ),
          { name: 'AccessDeniedException' },
        ),
      );
    // Act
    const report = await checkBeforeDeploy(options());
    // Assess
    expect(report.account).toBe('111122223333');
    expect(report.notes).toEqual([
      "Could not read the Region's API Gateway CloudWatch Logs role (AccessDeniedException); if " +
        'the stage then fails with "CloudWatch Logs role ARN must be set", see ' +
        'docs/troubleshooting.md.',
    ]);
  });
});
