/**
 * The local stack as a {@link ChatTarget}: started through its exported start function, on free
 * ports, as every other test starts it, with every lever it has.
 *
 * Its clients connect from 127.0.0.2, not 127.0.0.1: the chat counts the local stack's own default
 * address as nobody (API Gateway never reports it), so from 127.0.0.1 the suite's clients would
 * share no budget and no cap. From 127.0.0.2 they are one person, as all of the runner's clients
 * are one address on AWS, and the per-person tests hold the same way on both.
 */
import { createServer } from 'node:net';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { signInDevUser } from '../../../scripts/lib/dev-sign-in.ts';
import { DEV_USERS } from '../../local-stack/src/dev-users.ts';
import { LOCAL_CREDENTIALS } from '../../local-stack/src/dynamodb.ts';
import { startLocalStack } from '../../local-stack/src/stack.ts';
import type { Capability, ChatLimits, ChatTarget, TestUser } from './chat-target.ts';
import { connectionCloser, roomReader } from './connections.ts';

/** The address the suite's clients use on the local stack: loopback, but not 127.0.0.1. */
export const LOCAL_CLIENT_ADDRESS = '127.0.0.2';

/** How to start the local stack for the suite. */
export interface LocalTargetOptions {
  /** Sign-in on (`npm start -- --auth`): the local issuer and its dev users. */
  readonly signIn?: boolean;
  /** The function's environment, added to the stack's. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Starts a local stack for the suite.
 * @param options - sign-in, and the function's environment
 * @returns the target; `stop()` it when done
 */
export async function localTarget(options: LocalTargetOptions = {}): Promise<ChatTarget> {
  const env = { ...options.env };
  const [stack, address] = await Promise.all([
    startLocalStack({
      httpPort: 0,
      wsPort: 0,
      dynamoPort: 0,
      sqsPort: 0,
      env,
      ...(options.signIn === true && { auth: { issuerPort: 0 } }),
      log: () => {},
    }),
    bindable(LOCAL_CLIENT_ADDRESS),
  ]);
  const closer = connectionCloser({
    endpoint: stack.managementEndpoint,
    region: stack.region,
    credentials: LOCAL_CREDENTIALS,
  });
  const reader = roomReader(stack.tableName, {
    endpoint: stack.dynamoEndpoint,
    region: stack.region,
    credentials: LOCAL_CREDENTIALS,
  });
  const issuer = stack.auth?.issuer;
  const users = issuer === undefined ? [] : devUsers(issuer);

  const missing: Partial<Record<Capability, string>> = {};
  if (issuer === undefined) missing.signIn = 'sign-in is off on this local stack';
  if (issuer === undefined && address === undefined) {
    missing.onePerson =
      `needs clients the chat counts as one person: this machine cannot connect from ` +
      `${LOCAL_CLIENT_ADDRESS}, and the local stack counts 127.0.0.1 as nobody`;
  }
  if (issuer !== undefined) {
    missing.page = 'the page signs in at the local issuer, which the suite does not drive';
  }

  return {
    description: `the local stack at ${stack.websocketUrl} (page ${stack.pageUrl})`,
    websocketUrl: stack.websocketUrl,
    pageUrl: stack.pageUrl,
    origin: new URL(stack.pageUrl).origin,
    managementEndpoint: stack.managementEndpoint,
    limits: limitsOf(env),
    signIn: issuer === undefined ? { on: false } : { on: true, users },
    clientAddress: address,
    budgetsStart: 'full',
    deleteConnection: (id) => closer.deleteConnection(id),
    connectionIds: (room) => reader.connectionIds(room),
    local: {
      faults: stack.faults,
      metrics: () => stack.metrics(),
      resetMetrics: () => stack.resetMetrics(),
      withEnvironment: (more) => localTarget({ ...options, env: { ...env, ...more } }),
    },
    missing,
    async stop() {
      closer.destroy();
      reader.destroy();
      await stack.stop();
    },
  };
}

/** The limits the function runs with: its environment's, else the contract's defaults. */
function limitsOf(env: Readonly<Record<string, string>>): ChatLimits {
  const names = contract.environment;
  const number = (name: string, fallback: number): number => {
    const value = Number(env[name]);
    return env[name] !== undefined && Number.isFinite(value) ? value : fallback;
  };
  return {
    maxMessageLength: number(names.maxMessageLength, contract.limits.maxMessageLength),
    rateLimit: {
      burst: number(names.rateLimitBurst, contract.limits.rateLimitBurst),
      perSecond: number(names.rateLimitPerSecond, contract.limits.rateLimitPerSecond),
    },
    maxConnectionsPerPerson: number(
      names.maxConnectionsPerPerson,
      contract.limits.maxConnectionsPerPerson,
    ),
  };
}

/**
 * The first two dev users, signed in at the local issuer as `npm run dev-token` signs them in
 * (scripts/lib/dev-sign-in.ts), each once.
 */
function devUsers(issuer: string): TestUser[] {
  return DEV_USERS.slice(0, 2).map((user) => {
    let token: Promise<string> | undefined;
    return {
      name: user.username,
      verifiedName: user.name,
      idToken: () => {
        token ??= signInDevUser(issuer, user.username).then((tokens) => tokens.idToken);
        return token;
      },
    };
  });
}

/** Whether a socket can be bound to `address` here (Linux routes all of 127.0.0.0/8). */
function bindable(address: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(0, address, () => server.close(() => resolve(address)));
  });
}
