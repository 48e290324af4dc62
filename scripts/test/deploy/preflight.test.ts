/**
 * The deploy checks with the real AWS SDK clients against a small local server answering the error
 * responses moto does not produce, in STS's and S3's documented formats (the checks against
 * moto_server are in test/integration/deploy/preflight.test.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkBeforeDeploy,
  environmentRegion,
  type PreflightClients,
} from '../../deploy/preflight.ts';
import { clientsFor, failureOf, preflightOptions as options } from '../support/preflight.ts';

describe('the region', () => {
  it('stops before any AWS call when no region is set anywhere', async () => {
    const message = await failureOf(checkBeforeDeploy(options({ region: null })));
    expect(message).toMatch(/^No AWS region is set: set AWS_REGION/);
    expect(message).toContain('-var aws_region=');
  });

  it('refuses a region that is not a region code', async () => {
    const message = await failureOf(checkBeforeDeploy(options({ region: 'Frankfurt' })));
    expect(message).toBe(
      '"Frankfurt" is not an AWS region code: use one like eu-central-1 (aws_region, AWS_REGION).',
    );
  });

  it('falls back to the environment, reading AWS_DEFAULT_REGION as Terraform does', async () => {
    expect(await environmentRegion({ AWS_DEFAULT_REGION: 'eu-west-3' })).toBe('eu-west-3');
    expect(await environmentRegion({ AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'x' })).toBe(
      'us-west-2',
    );
  });
});

describe('credentials without any source', () => {
  const saved = { ...process.env };

  beforeAll(() => {
    // Nothing the SDK's default chain could find: no variables, no files, no instance metadata.
    for (const name of Object.keys(process.env)) {
      if (name.startsWith('AWS_')) delete process.env[name];
    }
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  });

  afterAll(() => {
    process.env = saved;
  });

  it('names the ways to sign in', async () => {
    // Prepare: the SDK's own default credential chain, as `npm run deploy` uses it.
    const clients = (region: string): PreflightClients => ({
      sts: new STSClient({ region }),
      s3Control: new S3ControlClient({ region }),
      apiGateway: new APIGatewayClient({ region }),
    });
    // Act
    const message = await failureOf(checkBeforeDeploy(options({ clients })));
    // Assess
    expect(message).toBe(
      'No AWS credentials found: run `aws configure` or `aws sso login`, or set AWS_PROFILE (or ' +
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).',
    );
  });
});

/** Answers every request with one canned AWS error response. */
async function startErrorServer(
  status: number,
  body: string,
): Promise<{ endpoint: string; server: Server }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(status, { 'content-type': 'text/xml' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, server };
}

/** STS's query-protocol error body (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html). */
function stsError(code: string, message: string): string {
  return (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
    `<Code>${code}</Code><Message>${message}</Message></Error>` +
    '<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>'
  );
}

describe('credentials AWS refuses', () => {
  const servers: Server[] = [];

  afterAll(() => {
    for (const server of servers) server.close();
  });

  it.each([
    [
      'expired',
      400,
      'ExpiredToken',
      'The security token included in the request is expired',
      'Your AWS credentials have expired: sign in again (`aws sso login`) or renew them.',
    ],
    [
      'unknown',
      403,
      'InvalidClientTokenId',
      'The security token included in the request is invalid.',
      'AWS rejected your credentials (InvalidClientTokenId): check the access key and secret, and ' +
        'that region eu-central-1 is enabled for your account.',
    ],
  ])('says what to do about %s credentials', async (_kind, status, code, text, expected) => {
    // Prepare
    const { endpoint, server } = await startErrorServer(status, stsError(code, text));
    servers.push(server);
    // Act
    const message = await failureOf(checkBeforeDeploy(options({ clients: clientsFor(endpoint) })));
    // Assess
    expect(message).toBe(expected);
  });

  it('says when STS cannot be reached at all', async () => {
    // Prepare: a port that was just free, so nothing listens there.
    const { endpoint, server } = await startErrorServer(500, '');
    await new Promise((resolve) => server.close(resolve));
    // Act
    const message = await failureOf(checkBeforeDeploy(options({ clients: clientsFor(endpoint) })));
    // Assess
    expect(message).toBe(
      'Cannot reach AWS STS in region eu-central-1 (ECONNREFUSED): check the region name and ' +
        'your network.',
    );
  });

  it('goes on with a note when the account setting cannot be read', async () => {
    // Prepare: STS answers from moto's shapes below; here only S3 Control's AccessDenied matters,
    // so one server answers GetCallerIdentity and the S3 error by path.
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        if (request.url?.startsWith('/v20180820/')) {
          response.writeHead(403, { 'content-type': 'application/xml' });
          response.end(
            '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>' +
              '<Message>Access Denied</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>',
          );
          return;
        }
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end(
          '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
            '<GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/ada</Arn>' +
            '<UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account>' +
            '</GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-' +
            '456789abcdef</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Act
    const report = await checkBeforeDeploy(options({ clients: clientsFor(endpoint) }));
    // Assess
    expect(report).toMatchObject({ account: '111122223333', region: 'eu-central-1' });
    expect(report.notes).toEqual([
      "Could not read the account's S3 Block Public Access (AccessDenied); if the bucket policy " +
        'then fails with AccessDenied, see docs/troubleshooting.md.',
    ]);
  });
});
