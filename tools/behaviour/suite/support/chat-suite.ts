/**
 * The frame every file of the behaviour suite shares: the run's target opened before the file's
 * tests and stopped after them, a room name per test that no one else uses, clients that connect
 * as the page would and are closed after each test, the tests skipped with a reason when the
 * target lacks what they need, and the file's usage added to the run's tally.
 */
import type { TestContext } from 'vitest';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import { BudgetMirror, personBudget } from '../../src/budget.ts';
import { ChatClient, HandshakeRefused } from '../../src/chat-client.ts';
import {
  type Capability,
  type ChatTarget,
  missingFor,
  type TestUser,
} from '../../src/chat-target.ts';
import { openTarget, runIdFrom, type TargetRequest } from '../../src/target.ts';
import { recordUsage, UsageMeter } from '../../src/usage.ts';

/** How a client joins. */
export interface JoinOptions {
  /** 3 (the default) or `old`: an old client names no protocol version in its URL. */
  readonly version?: 3 | 'old';
  /** With sign-in on, the user (default the first); `none` offers no token at all. */
  readonly user?: TestUser | 'none';
  /** Subprotocols to offer instead of the chat's and the user's token. */
  readonly protocols?: readonly string[];
  /**
   * Whether the handshake waits until the person is out of the overdraft of their budget, and is
   * tried again when refused with 429 (the default: on AWS a place held by a connection just
   * closed is given back when its `$disconnect` has run, a moment later); false tries once, now.
   */
  readonly retryRefused?: boolean;
  /** Another target than the file's (one from {@link ChatSuite.withEnvironment}). */
  readonly target?: ChatTarget;
}

/** What a test file gets. */
export interface ChatSuite {
  /** The running target; read it inside tests and hooks. */
  readonly target: ChatTarget;
  /** What the file's clients use, for the run's tally. */
  readonly meter: UsageMeter;
  /**
   * A room for this run only: `bt-<run id>-<name>`.
   * @param name - lower-case letters, digits and dashes; at most 20
   */
  room(name: string): string;
  /** Connects to `room` as the page would, and closes the client after the test. */
  join(room: string, options?: JoinOptions): Promise<ChatClient>;
  /** The budget of the person the suite's clients count against (the user's, when signed in). */
  budget(user?: TestUser): BudgetMirror;
  /** Skips the test, saying why, unless the target has every capability. */
  need(context: TestContext, ...capabilities: Capability[]): void;
  /**
   * What a message's `senderName` is when a client claims `claimed`: that, without sign-in; with
   * sign-in, the user's verified name (any name, when the suite does not know it).
   */
  nameFor(claimed: string, user?: TestUser): unknown;
  /**
   * A local stack whose function runs with `env` added (the test must need `environment`),
   * stopped after the test.
   */
  withEnvironment(env: Readonly<Record<string, string>>): Promise<ChatTarget>;
}

/** How often a handshake refused with 429 is tried, waiting longer each time. */
const HANDSHAKE_ATTEMPTS = 8;

/**
 * Registers the hooks of a test file of the suite.
 * @param request - what the file asks of its target (sign-in on, for a local stack)
 * @returns the suite, readable once the file's tests run
 */
export function useChatSuite(request: TargetRequest = {}): ChatSuite {
  let target: ChatTarget | undefined;
  const meter = new UsageMeter();
  const clients: ChatClient[] = [];
  const extraTargets: ChatTarget[] = [];
  const runId = runIdFrom();

  beforeAll(async () => {
    target = await openTarget(request);
  });

  beforeEach((context) => {
    // Every test connects; on a stack with sign-in on, it needs a user to connect as. The
    // sign-in file asks for itself, per test.
    if (request.signIn !== true) suite.need(context, 'testUser');
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(extraTargets.splice(0).map((extra) => extra.stop()));
  });

  afterAll(async () => {
    await recordUsage(meter.usage);
    await target?.stop();
  });

  const suite: ChatSuite = {
    get target(): ChatTarget {
      if (target === undefined) throw new Error('the target opens in beforeAll: read it in a test');
      return target;
    },
    meter,
    room(name) {
      const room = `bt-${runId}-${name}`;
      if (!/^[a-z0-9-]+$/.test(name) || room.length > contract.limits.maxRoomNameLength) {
        throw new RangeError(`the room name ${room} is not a valid room of at most 32 characters`);
      }
      return room;
    },
    async join(room, options = {}) {
      const current = options.target ?? suite.target;
      const user = userOf(current, options.user);
      const protocols =
        options.protocols ??
        (user === undefined
          ? []
          : [
              contract.auth.subprotocol,
              `${contract.auth.tokenSubprotocolPrefix}${await user.idToken()}`,
            ]);
      const version = options.version === 'old' ? '' : `&v=${contract.protocolVersion}`;
      const url = `${current.websocketUrl}?room=${encodeURIComponent(room)}${version}`;
      const person = budgetOf(current, user);
      const patient = options.retryRefused !== false;
      for (let attempt = 1; ; attempt++) {
        if (patient) await person.admission();
        try {
          const client = await ChatClient.open(url, {
            origin: current.origin,
            localAddress: current.clientAddress,
            protocols,
            person,
            own: new BudgetMirror(current.limits.rateLimit, 'full'),
            meter,
          });
          clients.push(client);
          return client;
        } catch (error) {
          const retry =
            patient &&
            error instanceof HandshakeRefused &&
            error.status === 429 &&
            attempt < HANDSHAKE_ATTEMPTS;
          if (!retry) throw error;
          await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
        }
      }
    },
    budget(user) {
      return budgetOf(suite.target, user ?? userOf(suite.target, undefined));
    },
    need(context, ...capabilities) {
      const reason = missingFor(suite.target, capabilities);
      if (reason !== undefined) context.skip(reason);
    },
    nameFor(claimed, user) {
      const current = suite.target;
      if (!current.signIn.on) return claimed;
      return (user ?? current.signIn.users[0])?.verifiedName ?? expect.any(String);
    },
    async withEnvironment(env) {
      const levers = suite.target.local;
      if (levers === undefined) throw new Error('only the local stack sets the environment');
      const extra = await levers.withEnvironment(env);
      extraTargets.push(extra);
      return extra;
    },
  };
  return suite;
}

/** The mirror of the budget of `user` on `target`, or of the runner's address. */
function budgetOf(target: ChatTarget, user: TestUser | undefined): BudgetMirror {
  return personBudget(
    `${target.websocketUrl} ${user === undefined ? 'address' : `user ${user.name}`}`,
    target.limits.rateLimit,
    target.budgetsStart,
  );
}

/** The user a client signs in as: none without sign-in, the first by default. */
function userOf(target: ChatTarget, asked: TestUser | 'none' | undefined): TestUser | undefined {
  if (!target.signIn.on || asked === 'none') return undefined;
  return asked ?? target.signIn.users[0];
}
