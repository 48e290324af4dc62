/**
 * The chat's sign-in mode (`AUTH_MODE`), which the chat function and the authorizer both read:
 * `none`, the open chat; `cognito`, ID tokens of an Amazon Cognito user pool; `oidc`, ID tokens
 * of any OpenID Connect issuer.
 */
import contract from '../../../contract/contract.json' with { type: 'json' };
import { ConfigError } from '../errors.ts';

/** A sign-in mode. */
export type AuthMode = 'none' | 'cognito' | 'oidc';

const MODES: readonly string[] = contract.auth.modes;

/**
 * Reads `AUTH_MODE`.
 * @param raw - the variable's value
 * @returns the mode; `none` when unset or blank
 * @throws ConfigError for anything but the modes contract.json lists
 */
export function parseAuthMode(raw: string | undefined): AuthMode {
  const value = raw?.trim();
  if (!value) return contract.auth.defaultMode as AuthMode;
  if (!MODES.includes(value)) {
    throw new ConfigError(`${contract.environment.authMode} must be one of ${MODES.join(', ')}`);
  }
  return value as AuthMode;
}

/**
 * Whether a mode signs people in.
 * @param mode - the mode
 * @returns true for `cognito` and `oidc`
 */
export function signsIn(mode: AuthMode): mode is 'cognito' | 'oidc' {
  return mode !== 'none';
}
