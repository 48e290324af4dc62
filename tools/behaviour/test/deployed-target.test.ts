import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ONLY } from '../src/chat-target.ts';
import type { DeployedSettings } from '../src/deployed-settings.ts';
import { deployedTarget, PAGE_NEEDS_INTERACTIVE_SIGN_IN } from '../src/deployed-target.ts';
import { NO_TEST_USER } from '../src/test-users.ts';

const WSS = 'wss://abc123defg.execute-api.eu-west-1.amazonaws.com/prod';

/** A site whose config.js is the given object, at /plain/ without sign-in, /auth/ with. */
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    const auth = request.url?.startsWith('/auth/')
      ? {
          auth: {
            issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X',
            clientId: 'c',
          },
        }
      : {};
    const websocketUrl = request.url?.startsWith('/other/') ? 'wss://other.example.com/prod' : WSS;
    response.end(
      `window.CHAT_CONFIG = ${JSON.stringify({ ...auth, maxMessageLength: 500, websocketUrl })};`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function settings(path: string): DeployedSettings {
  return {
    websocketUrl: WSS,
    siteUrl: `${base}${path}`,
    tableName: undefined,
    region: 'eu-west-1',
    rateLimit: { burst: 10, perSecond: 2 },
    clientAddress: undefined,
  };
}

describe('deployedTarget', () => {
  it("takes the limit from the page's config.js, and lacks the local stack's levers and sign-in", async () => {
    // Act
    const target = await deployedTarget(settings('/plain/'), {});
    await target.stop();
    // Assess
    expect(target.limits.maxMessageLength).toBe(500);
    expect(target.origin).toBe(base);
    expect(target.signIn).toEqual({ on: false });
    expect(target.local).toBeUndefined();
    expect(target.budgetsStart).toBe('spent');
    expect(target.missing).toMatchObject({
      ...LOCAL_ONLY,
      signIn: 'sign-in is off on this stack (its config.js has no auth)',
      connectionIds: expect.any(String),
    });
    expect(target.missing.page).toBeUndefined();
    expect(target.missing.onePerson).toBeUndefined();
  });

  it('with sign-in on, takes the test users from the environment, and does not drive the page', async () => {
    // Act
    const withUser = await deployedTarget(settings('/auth/'), { BEHAVIOUR_ID_TOKEN: 'token' });
    const withoutUser = await deployedTarget(settings('/auth/'), {});
    await Promise.all([withUser.stop(), withoutUser.stop()]);
    // Assess
    expect(withUser.signIn.on && withUser.signIn.users.map((user) => user.name)).toEqual([
      'user 1',
    ]);
    expect(withUser.missing.testUser).toBeUndefined();
    expect(withUser.missing.page).toBe(PAGE_NEEDS_INTERACTIVE_SIGN_IN);
    expect(withoutUser.missing.testUser).toBe(NO_TEST_USER);
  });

  it('refuses a page that connects to another WebSocket URL', async () => {
    await expect(deployedTarget(settings('/other/'), {})).rejects.toThrow(
      /connects to wss:\/\/other\.example\.com\/prod, not to/,
    );
  });
});
