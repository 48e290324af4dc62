import { describe, expect, it } from 'vitest';
import contract from '../../contract/contract.json' with { type: 'json' };
import { ConfigError, defaultScope, readAuthConfig, readChatConfig } from '../src/config.ts';

describe('readChatConfig', () => {
  it('takes the URL and limit from config.js', () => {
    // Act
    const config = readChatConfig({ websocketUrl: 'wss://x.example/prod', maxMessageLength: 50 });

    // Assess
    expect(config).toEqual({ websocketUrl: 'wss://x.example/prod', maxMessageLength: 50 });
  });

  it("falls back to the backend's default limit", () => {
    // Act
    const config = readChatConfig({ websocketUrl: 'ws://127.0.0.1:3001/prod' });

    // Assess
    expect(config.maxMessageLength).toBe(contract.limits.maxMessageLength);
  });

  it.each([undefined, {}, { websocketUrl: 'https://not-a-socket.example' }])(
    'refuses %j',
    (raw) => {
      // Assess
      expect(() => readChatConfig(raw)).toThrow('websocketUrl');
    },
  );
});

describe('readChatConfig with sign-in', () => {
  const websocketUrl = 'wss://x.example/prod';

  it('leaves sign-in out when config.js has no auth, or null as Terraform writes an unset value', () => {
    // Act
    const without = readChatConfig({ websocketUrl });
    const withNull = readChatConfig({ websocketUrl, auth: null });

    // Assess
    expect(without).toEqual({ websocketUrl, maxMessageLength: contract.limits.maxMessageLength });
    expect(withNull).toEqual(without);
  });

  it("takes an OpenID Connect issuer: its URL is the sender ids' namespace, the scope defaults", () => {
    // Act
    const config = readChatConfig({
      websocketUrl,
      auth: { mode: 'oidc', issuer: 'https://login.example/realms/chat', clientId: 'chat-page' },
    });

    // Assess
    expect(config.auth).toEqual({
      mode: 'oidc',
      issuer: 'https://login.example/realms/chat',
      clientId: 'chat-page',
      scope: defaultScope,
      senderIdNamespace: 'https://login.example/realms/chat',
    });
  });

  it("takes a Cognito user pool: the pool id from its issuer URL names the sender ids' namespace", () => {
    // Act
    const auth = readAuthConfig({
      mode: 'cognito',
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
      clientId: '1h57kf5cpq17m0eml12EXAMPLE',
      scope: 'openid profile email',
    });

    // Assess
    expect(auth.senderIdNamespace).toBe('cognito:eu-west-1_AbCdEf123');
    expect(auth.scope).toBe('openid profile email');
  });

  it('takes a plain-http issuer on loopback only (the local stack)', () => {
    // Act
    const loopback = ['http://127.0.0.1:9400', 'http://localhost:9400/', 'http://[::1]:9400'].map(
      (issuer) => readAuthConfig({ mode: 'oidc', issuer, clientId: 'page' }).issuer,
    );

    // Assess
    expect(loopback).toEqual([
      'http://127.0.0.1:9400',
      'http://localhost:9400/',
      'http://[::1]:9400',
    ]);
    expect(() =>
      readAuthConfig({ mode: 'oidc', issuer: 'http://login.example', clientId: 'page' }),
    ).toThrow('auth.issuer');
  });

  it.each([
    ['oidc', 'auth must be an object'],
    [
      { mode: 'oidc', issuer: 'https://i.example', clientId: 'p', clientSecret: 's' },
      'unknown keys: clientSecret',
    ],
    [{ issuer: 'https://i.example', clientId: 'p' }, 'auth.mode'],
    [{ mode: 'none', issuer: 'https://i.example', clientId: 'p' }, 'auth.mode'],
    [{ mode: 'oidc', clientId: 'p' }, 'auth.issuer'],
    [{ mode: 'oidc', issuer: 'https://i.example?x=1', clientId: 'p' }, 'auth.issuer'],
    [{ mode: 'oidc', issuer: 'https://i.example/#', clientId: 'p' }, 'auth.issuer'],
    [{ mode: 'oidc', issuer: 'https://user:pw@i.example', clientId: 'p' }, 'auth.issuer'],
    [{ mode: 'oidc', issuer: 'javascript:alert(1)', clientId: 'p' }, 'auth.issuer'],
    [{ mode: 'oidc', issuer: 'https://i.example', clientId: '' }, 'auth.clientId'],
    [{ mode: 'oidc', issuer: 'https://i.example', clientId: 'a b' }, 'auth.clientId'],
    [{ mode: 'oidc', issuer: 'https://i.example', clientId: 'p', scope: 'profile' }, 'auth.scope'],
    [
      { mode: 'oidc', issuer: 'https://i.example', clientId: 'p', scope: 'openid  profile' },
      'auth.scope',
    ],
    [{ mode: 'oidc', issuer: 'https://i.example', clientId: 'p', scope: 42 }, 'auth.scope'],
    [
      { mode: 'cognito', issuer: 'https://login.example/eu-west-1_AbC', clientId: 'p' },
      'cognito-idp',
    ],
    [
      {
        mode: 'cognito',
        issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/us-east-1_AbC',
        clientId: 'p',
      },
      'cognito-idp',
    ],
  ])('refuses auth %j, naming what is wrong', (raw, problem) => {
    // Act
    const read = (): unknown => readChatConfig({ websocketUrl, auth: raw });

    // Assess
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(problem);
  });
});
