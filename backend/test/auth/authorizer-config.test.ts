/**
 * The authorizer's configuration: what each mode needs, and identity-provider URLs that must be
 * https except on the loopback interface (the local stack's issuer).
 */
import { describe, expect, it } from 'vitest';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { parseAuthMode } from '../../src/auth/auth-mode.ts';
import { loadAuthorizerConfig } from '../../src/auth/authorizer-config.ts';
import { ConfigError } from '../../src/errors.ts';

const names = contract.environment;

describe('parseAuthMode', () => {
  it('is none when unset, and one of the three modes otherwise', () => {
    expect(parseAuthMode(undefined)).toBe('none');
    expect(parseAuthMode(' ')).toBe('none');
    expect(parseAuthMode('cognito')).toBe('cognito');
    expect(parseAuthMode('oidc')).toBe('oidc');
    expect(() => parseAuthMode('jwt')).toThrow(
      new ConfigError('AUTH_MODE must be one of none, cognito, oidc'),
    );
  });
});

describe('loadAuthorizerConfig', () => {
  it('reads a Cognito user pool and its app client', () => {
    // Act
    const config = loadAuthorizerConfig({
      [names.authMode]: 'cognito',
      [names.authUserPoolId]: 'eu-west-1_AbCdEf123',
      [names.authAudience]: ' client-1 ',
    });

    // Assess
    expect(config).toEqual({
      mode: 'cognito',
      userPoolId: 'eu-west-1_AbCdEf123',
      audience: ['client-1'],
      nameClaims: contract.auth.nameClaims,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads an OpenID Connect issuer, its audiences, its keys and the name claims', () => {
    const config = loadAuthorizerConfig({
      [names.authMode]: 'oidc',
      [names.authIssuer]: 'https://login.example.com/realms/chat',
      [names.authAudience]: 'web,cli',
      [names.authJwksUri]: 'https://login.example.com/realms/chat/certs',
      [names.authNameClaims]: 'nickname, email',
    });

    expect(config).toEqual({
      mode: 'oidc',
      issuer: 'https://login.example.com/realms/chat',
      audience: ['web', 'cli'],
      jwksUri: 'https://login.example.com/realms/chat/certs',
      nameClaims: ['nickname', 'email'],
    });
  });

  it.each([
    'http://127.0.0.1:4100',
    'http://127.8.0.1:4100/issuer',
    'http://localhost:4100',
    'http://[::1]:4100',
  ])('accepts the local issuer on loopback over plain http: %s', (issuer) => {
    const config = loadAuthorizerConfig({
      [names.authMode]: 'oidc',
      [names.authIssuer]: issuer,
      [names.authAudience]: 'local',
      [names.authJwksUri]: `${issuer}/jwks`,
    });

    expect(config).toMatchObject({ issuer, jwksUri: `${issuer}/jwks` });
  });

  it.each([
    [names.authIssuer, 'http://login.example.com'],
    [names.authIssuer, 'http://10.0.0.5:4100'],
    [names.authIssuer, 'http://127.0.0.1.example.com'],
    [names.authIssuer, 'ftp://login.example.com'],
    [names.authIssuer, 'https://user:secret@login.example.com'],
    [names.authIssuer, 'not a url'],
    [names.authJwksUri, 'http://169.254.169.254/keys'],
  ])('refuses %s=%s: only https, or http on loopback', (name, value) => {
    const env = {
      [names.authMode]: 'oidc',
      [names.authIssuer]: 'https://login.example.com',
      [names.authAudience]: 'web',
      [name]: value,
    };

    expect(() => loadAuthorizerConfig(env)).toThrow(ConfigError);
    expect(() => loadAuthorizerConfig(env)).toThrow(name);
  });

  it.each([
    [{ [names.authMode]: 'none' }, names.authMode],
    [{}, names.authMode],
    [{ [names.authMode]: 'cognito', [names.authUserPoolId]: 'eu-west-1_x' }, names.authAudience],
    [
      { [names.authMode]: 'cognito', [names.authAudience]: 'c', [names.authUserPoolId]: 'pool' },
      names.authUserPoolId,
    ],
    [{ [names.authMode]: 'oidc', [names.authAudience]: 'c' }, names.authIssuer],
  ])('fails the cold start naming what is missing: %o', (env, named) => {
    expect(() => loadAuthorizerConfig(env)).toThrow(named);
  });
});
