/**
 * The authorizer's Lambda entry point (`index.handler` in its own bundle, `authorizer.zip`).
 * Everything here runs once per container, at cold start: the configuration is read and
 * validated, and the token verifier is created, whose cache of the issuer's keys then serves every
 * handshake the container checks. It imports no AWS SDK: it calls no AWS service.
 */

import { loadAuthorizerConfig } from './auth/authorizer-config.ts';
import { createAuthorizer } from './auth/create-authorizer.ts';
import { createKeyFetcher } from './auth/key-fetcher.ts';
import { createTokenVerifier } from './auth/token-verifier.ts';
import { logToConsole } from './console-logger.ts';

const config = loadAuthorizerConfig(process.env);

/** The function API Gateway invokes for every `$connect` handshake of an auth mode. */
export const handler = createAuthorizer({
  verifier: createTokenVerifier(config, createKeyFetcher()),
  nameClaims: config.nameClaims,
  log: logToConsole,
});
