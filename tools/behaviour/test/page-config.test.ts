import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchPageConfig, PageConfigError, parsePageConfig } from '../src/page-config.ts';

const RENDERED =
  '// Runtime configuration of the chat page.\n' +
  'window.CHAT_CONFIG = {"maxMessageLength":2000,"websocketUrl":"wss://a.execute-api.eu-west-1.amazonaws.com/prod"};\n';

describe('parsePageConfig', () => {
  it('reads the rendered template', () => {
    expect(parsePageConfig(RENDERED)).toEqual({
      websocketUrl: 'wss://a.execute-api.eu-west-1.amazonaws.com/prod',
      maxMessageLength: 2000,
      auth: undefined,
    });
  });

  it('reads the issuer and client id of a sign-in mode', () => {
    const text =
      'window.CHAT_CONFIG = {"auth":{"clientId":"abc","issuer":"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X"},"maxMessageLength":500,"websocketUrl":"wss://x/prod"};';
    expect(parsePageConfig(text).auth).toEqual({
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X',
      clientId: 'abc',
    });
  });

  it.each([
    ['<html>Not found</html>'],
    ['window.CHAT_CONFIG = {"websocketUrl": "wss://x"};'],
    ['window.CHAT_CONFIG = {"websocketUrl":"wss://x","maxMessageLength":1,"auth":{}};'],
  ])('refuses %s', (text) => {
    expect(() => parsePageConfig(text)).toThrow(PageConfigError);
  });
});

describe('fetchPageConfig', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/config.js') response.end(RENDERED);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("fetches config.js next to the site's page", async () => {
    expect((await fetchPageConfig(base)).maxMessageLength).toBe(2000);
  });

  it('says so when the site has no config.js', async () => {
    await expect(fetchPageConfig(`${base}/elsewhere/`)).rejects.toThrow(/answered 404/);
  });
});
