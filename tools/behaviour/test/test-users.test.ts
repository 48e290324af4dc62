import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CognitoSignIn, cognitoIdToken, usersFromEnvironment } from '../src/test-users.ts';

const ISSUER = {
  issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
  clientId: 'pageclient',
};

describe('usersFromEnvironment', () => {
  it('takes ID tokens as they are, for the first and the second user', async () => {
    const users = usersFromEnvironment(ISSUER, {
      BEHAVIOUR_ID_TOKEN: 'token-one',
      BEHAVIOUR_ID_TOKEN_2: 'token-two',
    });
    expect(users.map((user) => user.name)).toEqual(['user 1', 'user 2']);
    expect(await Promise.all(users.map((user) => user.idToken()))).toEqual([
      'token-one',
      'token-two',
    ]);
  });

  it("signs a Cognito user in once, with the page's client", async () => {
    // Prepare
    const requests: CognitoSignIn[] = [];
    const [user] = usersFromEnvironment(
      ISSUER,
      { BEHAVIOUR_USERNAME: 'tester', BEHAVIOUR_PASSWORD: 'secret' },
      async (request) => {
        requests.push(request);
        return 'from-cognito';
      },
    );
    // Act
    const tokens = [await user?.idToken(), await user?.idToken()];
    // Assess
    expect(tokens).toEqual(['from-cognito', 'from-cognito']);
    expect(requests).toEqual([{ ...ISSUER, username: 'tester', password: 'secret' }]);
  });

  it('names nobody when the environment names nobody, or a name without a password', () => {
    expect(usersFromEnvironment(ISSUER, { BEHAVIOUR_USERNAME: 'tester' })).toEqual([]);
  });
});

describe('cognitoIdToken', () => {
  let server: Server;
  let endpoint: string;
  const seen: { headers: IncomingMessage['headers']; body: Record<string, unknown> }[] = [];
  beforeAll(async () => {
    // Cognito's JSON protocol, as InitiateAuth answers it
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as {
          AuthParameters: { USERNAME: string; PASSWORD: string };
        };
        seen.push({ headers: request.headers, body });
        const { USERNAME, PASSWORD } = body.AuthParameters;
        const answer =
          USERNAME === 'new'
            ? [200, { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 's' }]
            : PASSWORD === 'right'
              ? [200, { AuthenticationResult: { IdToken: 'id-token', AccessToken: 'a' } }]
              : [
                  400,
                  { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' },
                ];
        response.writeHead(answer[0] as number, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(answer[1]));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('gets the ID token with USER_PASSWORD_AUTH through the app client', async () => {
    // Act
    const token = await cognitoIdToken({
      ...ISSUER,
      username: 'tester',
      password: 'right',
      endpoint,
    });
    // Assess
    expect(token).toBe('id-token');
    expect(seen.at(-1)?.headers['x-amz-target']).toBe(
      'AWSCognitoIdentityProviderService.InitiateAuth',
    );
    expect(seen.at(-1)?.body).toEqual({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: 'pageclient',
      AuthParameters: { USERNAME: 'tester', PASSWORD: 'right' },
    });
  });

  it('says why Cognito refused, never the password', async () => {
    const refusal = cognitoIdToken({ ...ISSUER, username: 'tester', password: 'wrong', endpoint });
    await expect(refusal).rejects.toThrow(
      'Cognito refused to sign tester in: NotAuthorizedException: Incorrect username or password.',
    );
    await expect(refusal).rejects.not.toThrow(/wrong/);
  });

  it('says what to do about a challenge', async () => {
    await expect(
      cognitoIdToken({ ...ISSUER, username: 'new', password: 'right', endpoint }),
    ).rejects.toThrow(/NEW_PASSWORD_REQUIRED first/);
  });

  it('asks for a token for an issuer that is not Cognito', async () => {
    await expect(
      cognitoIdToken({
        issuer: 'https://login.example.com',
        clientId: 'c',
        username: 'u',
        password: 'p',
      }),
    ).rejects.toThrow(/give an ID token in BEHAVIOUR_ID_TOKEN/);
  });
});
