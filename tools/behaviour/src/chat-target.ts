/**
 * What the behaviour suite drives: a running chat, the local stack or a deployed one, seen from
 * outside as its users see it (a WebSocket URL, a page), with what the runner may do to it besides
 * (`@connections`, reading which connections a room has) and the levers only the local stack
 * has (fault injection, the function's metrics, another environment for the function).
 *
 * A test that needs something a target lacks asks with {@link missingFor}, which says why, and is
 * skipped with that reason.
 */
import type { StackFaults } from '../../local-stack/src/faults/stack-faults.ts';
import type { LocalStackMetrics } from '../../local-stack/src/stack.ts';

/** A token bucket: `burst` frames at once, then `perSecond` frames a second. */
export interface RateLimit {
  readonly burst: number;
  readonly perSecond: number;
}

/** The chat's limits, as the suite must assume them of the target. */
export interface ChatLimits {
  /** The longest message, in UTF-16 code units (what `config.js` tells the page). */
  readonly maxMessageLength: number;
  /** The budget of a person (the runner's address, or a signed-in user) and of a connection. */
  readonly rateLimit: RateLimit;
  /** The most connections a person may have open. */
  readonly maxConnectionsPerPerson: number;
}

/** A user the suite signs in as, when the target has sign-in on. */
export interface TestUser {
  /** A short name for the budget it spends from and for messages, e.g. `alice` or `user 1`. */
  readonly name: string;
  /** The name the chat shows for it, when the suite knows it in advance. */
  readonly verifiedName?: string;
  /** A fresh ID token for a handshake. */
  idToken(): Promise<string>;
}

/** Whether the target has sign-in on, and whom the suite may sign in as. */
export type SignIn =
  | { readonly on: false }
  | {
      readonly on: true;
      /** The users the suite can get tokens for; empty when none was given. */
      readonly users: readonly TestUser[];
    };

/** What only the local stack has. */
export interface LocalLevers {
  /** Fault injection (`stack.faults`): AWS failing on purpose. */
  readonly faults: StackFaults;
  /** The function's metrics, summed from its EMF lines (`stack.metrics()`). */
  metrics(): LocalStackMetrics;
  /** Starts the metrics from zero. */
  resetMetrics(): void;
  /**
   * Another local stack, whose function runs with `env` added to its environment; stop it when
   * done.
   */
  withEnvironment(env: Readonly<Record<string, string>>): Promise<ChatTarget>;
}

/** Something a test may need that not every target has. */
export type Capability =
  /** Fault injection. */
  | 'faults'
  /** The function's metrics. */
  | 'metrics'
  /** Setting the function's environment. */
  | 'environment'
  /** Calls to `@connections` (DeleteConnection). */
  | 'management'
  /** Finding the ids of a room's connections. */
  | 'connectionIds'
  /** Clients the chat counts as one person (one address, or one user), for per-person limits. */
  | 'onePerson'
  /** Sign-in on. */
  | 'signIn'
  /** A user to sign in as, when sign-in is on. */
  | 'testUser'
  /** The page, driven in Chromium. */
  | 'page';

/** A running chat the suite drives. */
export interface ChatTarget {
  /** Says which chat, in the run's output: `the local stack`, `wss://… (deployed)`. */
  readonly description: string;
  /** The WebSocket URL with the stage and without a query, e.g. `wss://…/prod`. */
  readonly websocketUrl: string;
  /** The chat page. */
  readonly pageUrl: string;
  /** The page's origin, which the suite's clients send as the page would. */
  readonly origin: string;
  /** The `@connections` endpoint with the stage, when the runner may call it. */
  readonly managementEndpoint: string | undefined;
  readonly limits: ChatLimits;
  readonly signIn: SignIn;
  /**
   * The local address the suite's WebSocket clients connect from, when it must be a particular
   * one (the local stack counts 127.0.0.1 as nobody); undefined for the system's choice.
   */
  readonly clientAddress: string | undefined;
  /**
   * How the chat's budgets stand when the suite starts: full on a stack started for it, unknown
   * (assumed spent) on one that ran before.
   */
  readonly budgetsStart: 'full' | 'spent';
  /** DeleteConnection through `@connections`; undefined when the target cannot. */
  readonly deleteConnection: ((connectionId: string) => Promise<void>) | undefined;
  /** The ids of a room's open connections, as the chat stores them; undefined when unknown. */
  readonly connectionIds: ((room: string) => Promise<string[]>) | undefined;
  /** The local stack's levers; undefined on a deployed stack. */
  readonly local: LocalLevers | undefined;
  /** Why the target lacks a capability, for each it lacks. */
  readonly missing: Readonly<Partial<Record<Capability, string>>>;
  /** Stops what the target started (the local stack, SDK clients). */
  stop(): Promise<void>;
}

/**
 * Why a target cannot run a test that needs `capabilities`.
 * @param target - the target
 * @param capabilities - what the test needs
 * @returns the first reason, or undefined when the target has them all
 */
export function missingFor(
  target: ChatTarget,
  capabilities: readonly Capability[],
): string | undefined {
  for (const capability of capabilities) {
    const reason = target.missing[capability];
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** Why a deployed stack lacks each of the local stack's levers. */
export const LOCAL_ONLY: Readonly<Record<'faults' | 'metrics' | 'environment', string>> = {
  faults: 'needs fault injection, which only the local stack has (stack.faults)',
  metrics: "needs the function's metrics as the local stack sums them (stack.metrics())",
  environment: "needs to set the function's environment, which only the local stack can do",
};
