/**
 * The deploy checks with the real AWS SDK clients against moto_server, an AWS that answers with
 * AWS's own shapes (skipped without it, failing under CI=true). The access log tests run last: the
 * first needs the Region without a CloudWatch Logs role, the second sets one.
 */
import { type APIGatewayClient, UpdateAccountCommand } from '@aws-sdk/client-api-gateway';
import {
  DeletePublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  type S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  findMotoServer,
  MOTO_INSTALL_HINT,
  type MotoServer,
  startMotoServer,
} from '../../../../tools/checks/src/moto/server.ts';
import { checkBeforeDeploy, type PreflightOptions } from '../../../deploy/preflight.ts';
import { describeWithTool } from '../../support/needs-tool.ts';
import { clientsFor, failureOf, preflightOptions as options } from '../../support/preflight.ts';

const motoServer = await findMotoServer();
describeWithTool(
  'deploy checks against moto',
  motoServer,
  `moto_server not found: ${MOTO_INSTALL_HINT}`,
  (bin) => {
    let moto: MotoServer;
    let s3Control: S3ControlClient;
    let apiGateway: APIGatewayClient;

    beforeAll(async () => {
      moto = await startMotoServer(bin);
      ({ s3Control, apiGateway } = clientsFor(moto.endpoint)('us-east-1'));
    }, 60_000);

    afterAll(async () => {
      await moto?.stop();
    });

    /** An HTTPS deployment (no S3 account check) with access logs and no role of its own. */
    function withAccessLogs(): PreflightOptions {
      return options({
        region: 'us-east-1',
        publicWebsite: false,
        accessLogs: true,
        clients: clientsFor(moto.endpoint),
      });
    }

    async function blockPublicPolicies(flags: {
      policy: boolean;
      restrict: boolean;
    }): Promise<void> {
      await s3Control.send(
        new PutPublicAccessBlockCommand({
          AccountId: '123456789012',
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: flags.policy,
            RestrictPublicBuckets: flags.restrict,
          },
        }),
      );
    }

    it('passes with valid credentials and no account-level block, naming the account', async () => {
      // Prepare
      await s3Control.send(new DeletePublicAccessBlockCommand({ AccountId: '123456789012' }));
      // Act
      const report = await checkBeforeDeploy(
        options({ region: 'us-east-1', clients: clientsFor(moto.endpoint) }),
      );
      // Assess
      expect(report).toEqual({
        region: 'us-east-1',
        account: '123456789012',
        arn: expect.stringMatching(/^arn:aws:(iam|sts)::123456789012:/),
        notes: [],
      });
    });

    it('passes when the account blocks public ACLs only', async () => {
      await blockPublicPolicies({ policy: false, restrict: false });
      const report = await checkBeforeDeploy(
        options({ region: 'us-east-1', clients: clientsFor(moto.endpoint) }),
      );
      expect(report.notes).toEqual([]);
    });

    it.each([
      [{ policy: true, restrict: false }, 'BlockPublicPolicy'],
      [{ policy: true, restrict: true }, 'BlockPublicPolicy, RestrictPublicBuckets'],
      [{ policy: false, restrict: true }, 'RestrictPublicBuckets'],
    ])(
      'stops the S3 website when the account blocks public policies (%o)',
      async (flags, named) => {
        // Prepare
        await blockPublicPolicies(flags);
        // Act
        const message = await failureOf(
          checkBeforeDeploy(options({ region: 'us-east-1', clients: clientsFor(moto.endpoint) })),
        );
        // Assess
        expect(message).toBe(
          `Account 123456789012's S3 Block Public Access (${named}) would refuse the website's public ` +
            'bucket policy: deploy over HTTPS instead (`npm run deploy -- -var enable_https=true`, a ' +
            'private bucket behind CloudFront), or allow public bucket policies for the account ' +
            '(docs/deploy.md, Prerequisites).',
        );
      },
    );

    it('lets HTTPS through whatever the account blocks: its bucket stays private', async () => {
      await blockPublicPolicies({ policy: true, restrict: true });
      const report = await checkBeforeDeploy(
        options({ region: 'us-east-1', publicWebsite: false, clients: clientsFor(moto.endpoint) }),
      );
      expect(report.account).toBe('123456789012');
    });

    it('stops access logs in a Region without a CloudWatch Logs role', async () => {
      // Prepare: nothing; moto's Region starts, like a new AWS account's, without a role.
      // Act
      const message = await failureOf(checkBeforeDeploy(withAccessLogs()));
      // Assess
      expect(message).toMatch(/^Region us-east-1's API Gateway settings name no CloudWatch Logs/);
      expect(message).toContain('-var manage_apigateway_account=true');
      expect(message).toContain('-var enable_access_logs=false');
    });

    it('passes access logs once the Region names a role', async () => {
      // Prepare
      await apiGateway.send(
        new UpdateAccountCommand({
          patchOperations: [
            {
              op: 'replace',
              path: '/cloudwatchRoleArn',
              value: 'arn:aws:iam::123456789012:role/apigateway-logs',
            },
          ],
        }),
      );
      // Act
      const report = await checkBeforeDeploy(withAccessLogs());
      // Assess
      expect(report.notes).toEqual([]);
    });
  },
);
