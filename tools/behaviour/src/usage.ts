/**
 * What a run of the suite uses of a stack, counted by its clients (the `ws` ones and the pages'
 * sockets), and what that costs on AWS at list prices: API Gateway bills messages in both
 * directions and connection minutes, Lambda one invocation per handshake, frame and disconnect.
 *
 * Each test file adds its tally to a file ({@link USAGE_FILE_VARIABLE}), one JSON line per file,
 * and the run's report adds them up: test files may run in other processes than the report.
 */
import { appendFile, readFile } from 'node:fs/promises';

/** The environment variable naming the file the test files add their tallies to. */
export const USAGE_FILE_VARIABLE = 'BEHAVIOUR_USAGE_FILE';

/** What the clients did, as API Gateway and Lambda count it. */
export interface Usage {
  /** Handshakes tried: each one invokes `$connect` (or the authorizer first) once. */
  readonly handshakes: number;
  /** Handshakes that carried a token: each one invokes the authorizer too. */
  readonly signedInHandshakes: number;
  /** Connections opened: each one invokes `$disconnect` once it closes. */
  readonly connections: number;
  /** Connection minutes, each connection's time rounded up to whole minutes. */
  readonly connectionMinutes: number;
  /** Frames the clients sent, in API Gateway's 32 KB units: each invokes the function once. */
  readonly messagesSent: number;
  /** Frames the clients received, in 32 KB units. */
  readonly messagesReceived: number;
}

/** No usage. */
export const NO_USAGE: Usage = {
  handshakes: 0,
  signedInHandshakes: 0,
  connections: 0,
  connectionMinutes: 0,
  messagesSent: 0,
  messagesReceived: 0,
};

/** API Gateway meters WebSocket messages in 32 KB increments. */
const METERING_BYTES = 32 * 1024;

/**
 * The messages API Gateway bills for one frame (pure).
 * @param bytes - the frame's size
 * @returns 1 for every started 32 KB
 */
export function meteredMessages(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / METERING_BYTES));
}

/**
 * Two tallies together (pure).
 * @param a - one tally
 * @param b - another
 * @returns their sum
 */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    handshakes: a.handshakes + b.handshakes,
    signedInHandshakes: a.signedInHandshakes + b.signedInHandshakes,
    connections: a.connections + b.connections,
    connectionMinutes: a.connectionMinutes + b.connectionMinutes,
    messagesSent: a.messagesSent + b.messagesSent,
    messagesReceived: a.messagesReceived + b.messagesReceived,
  };
}

/** Counts what one test file's clients do. */
export class UsageMeter {
  #usage: Usage = NO_USAGE;

  /** A handshake was tried, with a token or without. */
  handshake(signedIn: boolean): void {
    this.#add({ handshakes: 1, signedInHandshakes: signedIn ? 1 : 0 });
  }

  /** A connection that was open for `ms` closed. */
  connection(ms: number): void {
    this.#add({ connections: 1, connectionMinutes: Math.max(1, Math.ceil(ms / 60_000)) });
  }

  /** A frame of `bytes` went out. */
  sent(bytes: number): void {
    this.#add({ messagesSent: meteredMessages(bytes) });
  }

  /** A frame of `bytes` came in. */
  received(bytes: number): void {
    this.#add({ messagesReceived: meteredMessages(bytes) });
  }

  /** The tally so far. */
  get usage(): Usage {
    return this.#usage;
  }

  #add(more: Partial<Usage>): void {
    this.#usage = addUsage(this.#usage, { ...NO_USAGE, ...more });
  }
}

/**
 * Adds a tally to the run's file, when the run keeps one.
 * @param usage - one test file's tally
 * @param env - where the file's name is
 */
export async function recordUsage(
  usage: Usage,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const file = env[USAGE_FILE_VARIABLE];
  if (file !== undefined && file !== '') await appendFile(file, `${JSON.stringify(usage)}\n`);
}

/**
 * The run's tally: every line of the file added up.
 * @param file - the file
 * @returns the sum; none when the file is missing
 */
export async function readUsage(file: string): Promise<Usage> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ({ ...NO_USAGE, ...(JSON.parse(line) as Partial<Usage>) }))
    .reduce(addUsage, NO_USAGE);
}

/**
 * List prices in US dollars, us-east-1, as published when this was written: API Gateway's
 * WebSocket APIs (https://aws.amazon.com/api-gateway/pricing/, the first billion messages a
 * month) and Lambda on arm64 (https://aws.amazon.com/lambda/pricing/).
 */
export const PRICES = {
  apiGatewayPerMillionMessages: 1.0,
  apiGatewayPerMillionConnectionMinutes: 0.25,
  lambdaPerMillionRequests: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
} as const;

/** The chat function's memory (Terraform's `lambda_memory_mb` default) and the authorizer's. */
const FUNCTION_GB = 1024 / 1024;
const AUTHORIZER_GB = 256 / 1024;
/**
 * Billed time per invocation assumed for the estimate: most of the chat's invocations take a few
 * tens of milliseconds warm, a cold start a few hundred; 100 ms on average errs high.
 */
const ASSUMED_SECONDS_PER_INVOCATION = 0.1;

/** What a tally costs, in US dollars. */
export interface CostEstimate {
  readonly lambdaInvocations: number;
  readonly apiGatewayDollars: number;
  readonly lambdaDollars: number;
  readonly totalDollars: number;
}

/**
 * What a tally costs at {@link PRICES} (pure), leaving out DynamoDB and the free tiers.
 * @param usage - the tally
 * @returns the Lambda invocations it makes and the dollars
 */
export function estimateCost(usage: Usage): CostEstimate {
  const functionInvocations = usage.handshakes + usage.connections + usage.messagesSent;
  const authorizerInvocations = usage.signedInHandshakes;
  const apiGatewayDollars =
    ((usage.messagesSent + usage.messagesReceived) * PRICES.apiGatewayPerMillionMessages +
      usage.connectionMinutes * PRICES.apiGatewayPerMillionConnectionMinutes) /
    1e6;
  const gbSeconds =
    ASSUMED_SECONDS_PER_INVOCATION *
    (functionInvocations * FUNCTION_GB + authorizerInvocations * AUTHORIZER_GB);
  const lambdaDollars =
    ((functionInvocations + authorizerInvocations) * PRICES.lambdaPerMillionRequests) / 1e6 +
    gbSeconds * PRICES.lambdaArmPerGbSecond;
  return {
    lambdaInvocations: functionInvocations + authorizerInvocations,
    apiGatewayDollars,
    lambdaDollars,
    totalDollars: apiGatewayDollars + lambdaDollars,
  };
}
