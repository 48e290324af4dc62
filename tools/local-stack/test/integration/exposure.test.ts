/**
 * What the local stack exposes, through real clients: the socket refuses other sites' pages;
 * DynamoDB and the `@connections` API refuse web pages; and with `--host 0.0.0.0` or a LAN
 * address, browsers get a reachable address while DynamoDB and `@connections` stay on loopback.
 */
import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { describeWithTool } from '../../../../scripts/test/support/needs-tool.ts';
import { reachableHost } from '../../src/network.ts';
import {
  dynamoDbClient,
  HandshakeRefused,
  isEvent,
  managementClient,
  TestClient,
} from '../support/helpers.ts';
import { type RecordingStack, useRecordingStack } from '../support/stack-setup.ts';

const recording = useRecordingStack({ env: { ALLOWED_ORIGINS: 'http://localhost:5173' } });

/** One raw HTTP request; resolves with the status, headers and body. */
function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Whether anything accepts a TCP connection at `host:port`. */
function accepts(host: string, port: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = httpRequest({ host, port, path: '/', timeout: 5000 }, (response) => {
      response.resume();
      resolve(true);
    });
    probe.on('error', () => resolve(false));
    probe.on('timeout', () => probe.destroy());
    probe.end();
  });
}

describe('the chat socket and browser origins', () => {
  it.each([
    ['the chat page', (stack: RecordingStack['stack']) => new URL(stack.pageUrl).origin],
    ['an origin listed in ALLOWED_ORIGINS', () => 'http://localhost:5173'],
  ])('lets %s connect', async (_name, origin) => {
    const client = await TestClient.connect(recording.stack.websocketUrl, {
      headers: { Origin: origin(recording.stack) },
    });
    await client.close();
  });

  it('lets a program without an Origin header connect', async () => {
    const client = await TestClient.connect(recording.stack.websocketUrl);
    await client.close();
  });

  it('refuses a page of another site with 403, and never runs $connect for it', async () => {
    // Act
    const refused = TestClient.connect(`${recording.stack.websocketUrl}?tag=cross-site`, {
      headers: { Origin: 'https://evil.example' },
    });
    // Assess
    await expect(refused).rejects.toEqual(new HandshakeRefused(403));
    // A later handshake's CONNECT arrives; the refused one's never did.
    await (await recording.connect('after-cross-site')).client.close();
    const connects = recording.sink.records.filter(isEvent('CONNECT'));
    expect(connects.map((record) => record.event?.queryStringParameters)).not.toContainEqual({
      tag: 'cross-site',
    });
  });
});

describe('DynamoDB', () => {
  it('answers the SDK', async () => {
    const dynamo = dynamoDbClient(recording.stack);
    const tables = await dynamo.send(new ListTablesCommand({}));
    dynamo.destroy();
    expect(tables.TableNames).toContain(recording.stack.tableName);
  });

  it.each([
    ['a cross-origin POST', 'POST'],
    ['a CORS preflight', 'OPTIONS'],
  ])('refuses %s from a web page with 403 and no CORS header', async (_name, method) => {
    // Act
    const response = await rawRequest(
      recording.stack.dynamoEndpoint,
      method,
      {
        Origin: 'https://evil.example',
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'DynamoDB_20120810.Scan',
        'Access-Control-Request-Method': 'POST',
      },
      JSON.stringify({ TableName: recording.stack.tableName }),
    );
    // Assess
    expect(response.status).toBe(403);
    expect(response.headers).not.toHaveProperty('access-control-allow-origin');
    expect(response.body).toContain('AccessDeniedException');
    expect(response.body).not.toContain('connectionId');
  });
});

describe('@connections', () => {
  it('refuses a request from a web page, even on this machine', async () => {
    // Prepare
    const { client, connectionId } = await recording.connect('page-post');
    // Act
    const response = await rawRequest(
      `${recording.stack.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`,
      'POST',
      { Origin: new URL(recording.stack.pageUrl).origin },
      'posted by a page',
    );
    // Assess
    expect(response.status).toBe(403);
    expect(response.headers['x-amzn-errortype']).toBe('ForbiddenException');
    client.socket.send('{"do":"echo"}');
    expect(await client.frame(0)).toBe('{"do":"echo"}');
    await client.close();
  });
});

const lanAddress = reachableHost('0.0.0.0', networkInterfaces()) ?? null;

describeWithTool(
  '--host beyond loopback',
  lanAddress,
  'this machine has no network interface other than loopback',
  (lan) => {
    describe.each([
      ['0.0.0.0', '0.0.0.0'],
      ['a LAN address', lan],
    ])('--host %s', (_name, host) => {
      const open = useRecordingStack({ host });

      it('gives browsers the LAN address in the URLs, config.js and the CSP, and warns', async () => {
        // Prepare
        const { stack } = open;
        // Act
        const configJs = await (await fetch(`${stack.pageUrl}config.js`)).text();
        const indexHtml = await (await fetch(stack.pageUrl)).text();
        // Assess
        expect(new URL(stack.pageUrl).hostname).toBe(lan);
        expect(new URL(stack.websocketUrl).hostname).toBe(lan);
        expect(configJs).toContain(`"websocketUrl":"${stack.websocketUrl}"`);
        expect(indexHtml).toContain(`connect-src ${stack.websocketUrl};`);
        expect(stack.warnings.join('\n')).toMatch(/open to every machine/);
      });

      it('lets the page served on the LAN address chat', async () => {
        // Act
        const { client, connect } = await open.connect('lan-page', {
          headers: { Origin: new URL(open.stack.pageUrl).origin },
        });
        client.socket.send('{"do":"echo"}');
        // Assess: the function's own post, through its loopback endpoint, arrives.
        expect(await client.frame(0)).toBe('{"do":"echo"}');
        expect(connect.event?.requestContext.identity).toMatchObject({ sourceIp: lan });
        await client.close();
      });

      it('keeps DynamoDB on loopback', async () => {
        const { hostname, port } = new URL(open.stack.dynamoEndpoint);
        expect(hostname).toBe('127.0.0.1');
        expect(await accepts(lan, port)).toBe(false);
        expect(await accepts('127.0.0.1', port)).toBe(true);
      });

      it('answers @connections on loopback only', async () => {
        // Prepare
        const { client, connectionId } = await open.connect('lan-post');
        const fromLan = managementClient(
          open.stack,
          open.stack.managementEndpoint.replace('127.0.0.1', lan),
        );
        // Act
        const refused = await fromLan
          .send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'spoofed' }))
          .catch((error: Error) => error);
        await open.management.send(
          new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'from loopback' }),
        );
        fromLan.destroy();
        // Assess
        expect(refused).toMatchObject({ name: 'ForbiddenException' });
        expect(await client.frame(0)).toBe('from loopback');
        await client.close();
      });
    });
  },
);
