/**
 * A deployed stack as a {@link ChatTarget}: its two URLs, what its `config.js` says (the message
 * limit, whether sign-in is on), and the runner's own AWS credentials (the SDK's default chain)
 * for `@connections` and for reading which connections a room has. It needs nothing else, and
 * it has none of the local stack's levers: the tests that need them are skipped, saying why.
 */
import contract from '../../../contract/contract.json' with { type: 'json' };
import { type Capability, type ChatTarget, LOCAL_ONLY } from './chat-target.ts';
import {
  connectionCloser,
  managementEndpointOf,
  missingAwsConfig,
  roomReader,
} from './connections.ts';
import { type DeployedSettings, regionOfApi, SettingsError } from './deployed-settings.ts';
import { fetchPageConfig } from './page-config.ts';
import { NO_TEST_USER, usersFromEnvironment } from './test-users.ts';

/** Why the page is not driven on a stack with sign-in on. */
export const PAGE_NEEDS_INTERACTIVE_SIGN_IN =
  "sign-in is on: the page signs in at the identity provider's own login page, which the suite " +
  'does not drive';

/**
 * Reaches a deployed stack.
 * @param settings - its URLs and what the user said of it
 * @param env - the environment (the test users' variables; the SDK reads its own)
 * @returns the target; `stop()` it when done
 * @throws SettingsError when the page's `config.js` names another WebSocket URL
 * @throws PageConfigError when the site serves no rendered `config.js`
 */
export async function deployedTarget(
  settings: DeployedSettings,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChatTarget> {
  const config = await fetchPageConfig(settings.siteUrl);
  if (config.websocketUrl.replace(/\/+$/, '') !== settings.websocketUrl) {
    throw new SettingsError(
      `the page at ${settings.siteUrl} connects to ${config.websocketUrl}, not to ` +
        `${settings.websocketUrl}: give the URLs of one stack`,
    );
  }
  const region = settings.region ?? regionOfApi(settings.websocketUrl);
  const awsProblem = await missingAwsConfig(region);
  const regionConfig = region === undefined ? {} : { region };
  const managementEndpoint = managementEndpointOf(settings.websocketUrl);
  const closer =
    awsProblem === undefined
      ? connectionCloser({ endpoint: managementEndpoint, ...regionConfig })
      : undefined;
  const reader =
    awsProblem === undefined && settings.tableName !== undefined
      ? roomReader(settings.tableName, regionConfig)
      : undefined;

  const signIn =
    config.auth === undefined
      ? ({ on: false } as const)
      : ({ on: true, users: usersFromEnvironment(config.auth, env) } as const);
  const missing: Partial<Record<Capability, string>> = { ...LOCAL_ONLY };
  if (awsProblem !== undefined) {
    missing.management = `needs @connections with your AWS credentials, but the SDK ${awsProblem}`;
    missing.connectionIds = missing.management;
  } else if (settings.tableName === undefined) {
    missing.connectionIds =
      "needs a connection's id, read from the connections table: run with --stack DIR, or " +
      'pass --table NAME (terraform output table_name)';
  }
  if (!signIn.on) missing.signIn = 'sign-in is off on this stack (its config.js has no auth)';
  if (signIn.on && signIn.users.length === 0) missing.testUser = NO_TEST_USER;
  if (signIn.on) missing.page = PAGE_NEEDS_INTERACTIVE_SIGN_IN;

  return {
    description: `the deployed stack at ${settings.websocketUrl} (page ${settings.siteUrl})`,
    websocketUrl: settings.websocketUrl,
    pageUrl: settings.siteUrl,
    origin: new URL(settings.siteUrl).origin,
    managementEndpoint: closer === undefined ? undefined : managementEndpoint,
    limits: {
      maxMessageLength: config.maxMessageLength,
      rateLimit: settings.rateLimit,
      maxConnectionsPerPerson: contract.limits.maxConnectionsPerPerson,
    },
    signIn,
    clientAddress: settings.clientAddress,
    budgetsStart: 'spent',
    deleteConnection: closer === undefined ? undefined : (id) => closer.deleteConnection(id),
    connectionIds: reader === undefined ? undefined : (room) => reader.connectionIds(room),
    local: undefined,
    missing,
    async stop() {
      closer?.destroy();
      reader?.destroy();
    },
  };
}
