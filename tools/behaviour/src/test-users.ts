/**
 * The users the suite signs in as on a deployed stack with sign-in on. The suite never creates
 * one: the user names them in environment variables, either as ID tokens they got themselves
 * (any OpenID Connect issuer) or as a Cognito user's name and password, which are exchanged for
 * an ID token with Cognito's `InitiateAuth` (`USER_PASSWORD_AUTH`) through the page's own app
 * client. Passwords and tokens never reach the output.
 */
import type { TestUser } from './chat-target.ts';

/** The variables, for the first user and the second (`_2`). */
export const USER_VARIABLES = {
  idToken: 'BEHAVIOUR_ID_TOKEN',
  username: 'BEHAVIOUR_USERNAME',
  password: 'BEHAVIOUR_PASSWORD',
} as const;

/** Why the sign-in tests cannot connect when no user was given. */
export const NO_TEST_USER =
  'sign-in is on and no test user was given: set BEHAVIOUR_ID_TOKEN, or BEHAVIOUR_USERNAME and ' +
  'BEHAVIOUR_PASSWORD for a Cognito user (see npm run test:deployed -- --help)';

/** Signing a test user in failed; the message says why, without the password. */
export class SignInError extends Error {
  override readonly name = 'SignInError';
}

/** The page's sign-in settings, from `config.js`. */
export interface IssuerSettings {
  readonly issuer: string;
  readonly clientId: string;
}

/**
 * The users the environment names, in order (at most two).
 * @param issuer - the stack's issuer and the page's client id
 * @param env - the environment
 * @param signIn - exchanges a Cognito user's password for an ID token (tests hand in a fake)
 * @returns the users; empty when the environment names none
 */
export function usersFromEnvironment(
  issuer: IssuerSettings,
  env: NodeJS.ProcessEnv,
  signIn: (request: CognitoSignIn) => Promise<string> = cognitoIdToken,
): TestUser[] {
  const users: TestUser[] = [];
  for (const [index, suffix] of ['', '_2'].entries()) {
    const name = `user ${index + 1}`;
    const token = env[`${USER_VARIABLES.idToken}${suffix}`]?.trim();
    const username = env[`${USER_VARIABLES.username}${suffix}`]?.trim();
    const password = env[`${USER_VARIABLES.password}${suffix}`];
    if (token) {
      users.push({ name, idToken: async () => token });
    } else if (username && password) {
      let pending: Promise<string> | undefined;
      users.push({
        name,
        idToken: () => {
          pending ??= signIn({ ...issuer, username, password });
          return pending;
        },
      });
    }
  }
  return users;
}

/** A Cognito user's sign-in through the page's app client. */
export interface CognitoSignIn extends IssuerSettings {
  readonly username: string;
  readonly password: string;
  /** Cognito's endpoint; by default the one of the issuer's region. */
  readonly endpoint?: string;
}

/**
 * Signs a Cognito user in with `USER_PASSWORD_AUTH` (an unauthenticated API: the request carries
 * no AWS signature) and returns its ID token.
 * @param request - the issuer, the app client, the user and the password
 * @returns the ID token
 * @throws SignInError when the issuer is not a Cognito user pool, or Cognito refuses
 */
export async function cognitoIdToken(request: CognitoSignIn): Promise<string> {
  const region = /^https:\/\/cognito-idp\.([a-z0-9-]+)\.amazonaws\.com\/[\w-]+$/.exec(
    request.issuer,
  )?.[1];
  if (region === undefined && request.endpoint === undefined) {
    throw new SignInError(
      `the stack's issuer ${request.issuer} is not a Cognito user pool: give an ID token in ` +
        `${USER_VARIABLES.idToken} instead of a username and password`,
    );
  }
  const endpoint = request.endpoint ?? `https://cognito-idp.${region}.amazonaws.com/`;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
      },
      body: JSON.stringify({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: request.clientId,
        AuthParameters: { USERNAME: request.username, PASSWORD: request.password },
      }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new SignInError(`Cognito did not answer at ${endpoint}`, { cause: error });
  }
  const body = (await response.json().catch(() => ({}))) as {
    readonly AuthenticationResult?: { readonly IdToken?: unknown };
    readonly ChallengeName?: unknown;
    readonly __type?: unknown;
    readonly message?: unknown;
  };
  const idToken = body.AuthenticationResult?.IdToken;
  if (response.ok && typeof idToken === 'string') return idToken;
  if (response.ok && typeof body.ChallengeName === 'string') {
    throw new SignInError(
      `Cognito asks ${request.username} to answer ${body.ChallengeName} first: finish the ` +
        "user's set-up (e.g. its first password) in the console or with the AWS CLI",
    );
  }
  const type = String(body.__type ?? response.status).replace(/^.*#/, '');
  throw new SignInError(
    `Cognito refused to sign ${request.username} in: ${type}: ${String(body.message ?? '')}`.trim(),
  );
}
