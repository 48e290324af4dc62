/**
 * What the deploy checks' tests share: real SDK clients pointed at a stand-in endpoint, the
 * checks' options with nothing reaching AWS unless a test says so, and the message a check
 * fails with.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { STSClient } from '@aws-sdk/client-sts';
import { expect } from 'vitest';
import type { PreflightClients, PreflightOptions } from '../../deploy/preflight.ts';
import { PreflightError } from '../../deploy/preflight.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret' };

/** Real clients whose every request goes to `endpoint` (S3 Control would prefix the account id). */
export function clientsFor(endpoint: string): (region: string) => PreflightClients {
  return (region) => ({
    sts: new STSClient({ region, endpoint, credentials, maxAttempts: 1 }),
    s3Control: new S3ControlClient({
      region,
      credentials,
      maxAttempts: 1,
      endpointProvider: () => ({ url: new URL(endpoint) }),
    }),
    apiGateway: new APIGatewayClient({ region, endpoint, credentials, maxAttempts: 1 }),
  });
}

/**
 * The checks' options for the default S3 website; access logs are off unless a test turns them on,
 * so the tests of the other checks need no API Gateway answer.
 */
export function preflightOptions(overrides: Partial<PreflightOptions>): PreflightOptions {
  return {
    region: 'eu-central-1',
    environmentRegion: async () => null,
    publicWebsite: true,
    accessLogs: false,
    manageApigatewayAccount: false,
    clients: () => {
      throw new Error('no AWS call expected');
    },
    ...overrides,
  };
}

export async function failureOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PreflightError);
  return (error as PreflightError).message;
}
