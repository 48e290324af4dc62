/**
 * The Lambda's configuration: read from the environment once per container, validated, and
 * frozen, so a typo in an environment variable fails the cold start loudly instead of breaking
 * one chat message at a time.
 */

import contract from '../../contract/contract.json' with { type: 'json' };
import { listedOrigins, normaliseOrigin } from '../../contract/origins.ts';
import type { AuthMode } from './auth/auth-mode.ts';
import { parseAuthMode } from './auth/auth-mode.ts';
import { ConfigError } from './errors.ts';

/**
 * Posts in flight at once per invocation when SEND_CONCURRENCY is unset. A post waits a network
 * round trip for most of its time, so enough of them must be in flight to keep the container's CPU
 * share busy. The fan-out benchmark measures broadcasts at this value: see docs/fanout.md.
 */
export const DEFAULT_SEND_CONCURRENCY = 50;

/**
 * Recipients one full vCPU posts to in about one second on the signed path, with room for
 * reading, handing off and logging. SHARD_SIZE defaults to this times the container's share of a
 * vCPU (Lambda gives a function one vCPU at 1,769 MB, proportionally less below), so a shard takes
 * about a second whatever the memory; see docs/fanout.md.
 */
const RECIPIENTS_PER_VCPU_SECOND = 2000;
/**
 * The most each setting accepts, from contract.json: terraform/variables.tf validates its
 * variables against the same bounds, so a value Terraform accepts never fails the cold start.
 */
const maximums = contract.settingMaximums;
/** Shards stay well inside SQS's 256 KiB message limit (ids plus the payload). */
const MAX_SHARD_SIZE = maximums.shardSize;

/** Upper bound for SEND_CONCURRENCY: far beyond useful, low enough to catch a typo. */
const MAX_SEND_CONCURRENCY = maximums.sendConcurrency;

/** Validated configuration of the chat Lambda. */
export interface Config {
  /** DynamoDB table holding one item per open connection. */
  readonly tableName: string;
  /** DynamoDB table of rooms: head counts and kept messages. */
  readonly roomsTableName: string;
  /** The most messages a room keeps for late joiners. */
  readonly historyMaxMessages: number;
  /** How long a kept message lives, in seconds; 0 keeps no message text at all. */
  readonly historyTtlSeconds: number;
  /** Management API endpoint; undefined means derive `https://{domainName}/{stage}` per event. */
  readonly apigwEndpoint: string | undefined;
  /** Origins allowed to connect (normalised); undefined means no Origin check. */
  readonly allowedOrigins: ReadonlySet<string> | undefined;
  /** Longest accepted chat message, in UTF-16 code units (JavaScript's `length`, HTML's maxlength). */
  readonly maxMessageLength: number;
  /** PostToConnection calls in flight at once during a broadcast. */
  readonly sendConcurrency: number;
  /** The SQS queue of broadcast shards; undefined: every invocation posts its whole broadcast. */
  readonly shardQueueUrl: string | undefined;
  /** Recipients per invocation: the first page posted inline, and each shard. */
  readonly shardSize: number;
  /** The sign-in mode: `none`, or an auth mode whose `$connect` has an authorizer. */
  readonly authMode: AuthMode;
  /**
   * One person's token bucket: a signed-in user's across all their connections (auth modes), or
   * one connection's (no sign-in).
   */
  readonly rateLimit: { readonly burst: number; readonly perSecond: number };
  /**
   * Without sign-in, the bucket every connection from one source IP shares besides its own, so
   * more sockets or reconnecting gain nothing. Defaults to `rateLimit`.
   */
  readonly sourceIpRateLimit: { readonly burst: number; readonly perSecond: number };
  /** Open connections one person (a user; a source IP without sign-in) may have at once. */
  readonly maxConnectionsPerPerson: number;
  /**
   * PostToConnection calls per second all invocations together may make: this stack's share of
   * the account's API Gateway throttle, which every API of the account and Region shares.
   */
  readonly callbackRateLimit: number;
  /** How long after its acceptance a message's undelivered recipients are retried, in seconds. */
  readonly deliveryWindowSeconds: number;
  /** The dead-letter queue the function writes undeliverable recipients to; undefined: none. */
  readonly deadLetterQueueUrl: string | undefined;
}

const names = contract.environment;

/**
 * Reads and validates the configuration.
 * @param env - the environment, usually `process.env`
 * @returns the frozen configuration
 * @throws ConfigError naming the variable that is missing or malformed
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const tableName = env[names.tableName]?.trim();
  if (!tableName) throw new ConfigError(`${names.tableName} must be set`);
  const roomsTableName = env[names.roomsTableName]?.trim();
  if (!roomsTableName) throw new ConfigError(`${names.roomsTableName} must be set`);
  // The rate limit's maximums: far above any human's typing, low enough to catch a typo.
  const rateLimit = Object.freeze({
    burst: parsePositiveInteger(
      names.rateLimitBurst,
      env[names.rateLimitBurst],
      contract.limits.rateLimitBurst,
      maximums.rateLimitBurst,
    ),
    perSecond: parsePositiveInteger(
      names.rateLimitPerSecond,
      env[names.rateLimitPerSecond],
      contract.limits.rateLimitPerSecond,
      maximums.rateLimitPerSecond,
    ),
  });
  return Object.freeze({
    tableName,
    roomsTableName,
    historyMaxMessages: parsePositiveInteger(
      names.historyMaxMessages,
      env[names.historyMaxMessages],
      contract.limits.historyMaxMessages,
      MAX_HISTORY_MESSAGES,
    ),
    historyTtlSeconds: parseTtl(env[names.historyTtlSeconds]),
    apigwEndpoint: parseEndpoint(env[names.apigwEndpoint]),
    allowedOrigins: parseAllowedOrigins(env[names.allowedOrigins]),
    maxMessageLength: parsePositiveInteger(
      names.maxMessageLength,
      env[names.maxMessageLength],
      contract.limits.maxMessageLength,
      Number.MAX_SAFE_INTEGER,
    ),
    sendConcurrency: parsePositiveInteger(
      names.sendConcurrency,
      env[names.sendConcurrency],
      DEFAULT_SEND_CONCURRENCY,
      MAX_SEND_CONCURRENCY,
    ),
    shardQueueUrl: parseUrl(names.shardQueueUrl, env[names.shardQueueUrl]),
    shardSize: parsePositiveInteger(
      names.shardSize,
      env[names.shardSize],
      defaultShardSize(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE),
      MAX_SHARD_SIZE,
    ),
    authMode: parseAuthMode(env[names.authMode]),
    rateLimit,
    sourceIpRateLimit: Object.freeze({
      burst: parsePositiveInteger(
        names.sourceIpRateLimitBurst,
        env[names.sourceIpRateLimitBurst],
        rateLimit.burst,
        maximums.rateLimitBurst,
      ),
      perSecond: parsePositiveInteger(
        names.sourceIpRateLimitPerSecond,
        env[names.sourceIpRateLimitPerSecond],
        rateLimit.perSecond,
        maximums.rateLimitPerSecond,
      ),
    }),
    // At most 100: a full person's connections are checked in one BatchGetItem.
    maxConnectionsPerPerson: parsePositiveInteger(
      names.maxConnectionsPerPerson,
      env[names.maxConnectionsPerPerson],
      contract.limits.maxConnectionsPerPerson,
      maximums.maxConnectionsPerPerson,
    ),
    callbackRateLimit: parsePositiveInteger(
      names.callbackRateLimit,
      env[names.callbackRateLimit],
      contract.limits.callbackRateLimit,
      maximums.callbackRateLimit,
    ),
    // At most 15 minutes: well inside the shard queue's hour of retention.
    deliveryWindowSeconds: parsePositiveInteger(
      names.deliveryWindowSeconds,
      env[names.deliveryWindowSeconds],
      contract.limits.deliveryWindowSeconds,
      maximums.deliveryWindowSeconds,
    ),
    deadLetterQueueUrl: parseUrl(names.deadLetterQueueUrl, env[names.deadLetterQueueUrl]),
  });
}

/** A room's history is one Query; this keeps it to a few pages. */
const MAX_HISTORY_MESSAGES = maximums.historyMaxMessages;
/** DynamoDB TTL works in seconds; a year (366 days) is far beyond what a chat history needs. */
const MAX_HISTORY_TTL_SECONDS = maximums.historyTtlSeconds;

function parseTtl(raw: string | undefined): number {
  const value = raw?.trim();
  if (value === '0') return 0;
  return parsePositiveInteger(
    names.historyTtlSeconds,
    value,
    contract.limits.historyTtlSeconds,
    MAX_HISTORY_TTL_SECONDS,
  );
}

/**
 * The shard size for a container of `memoryMb` (Lambda sets AWS_LAMBDA_FUNCTION_MEMORY_SIZE).
 * @param memoryMb - the function's memory, as the environment variable's text
 * @returns recipients per invocation, between 50 and the maximum shard size
 */
export function defaultShardSize(memoryMb: string | undefined): number {
  const memory = Number(memoryMb);
  const share =
    Number.isFinite(memory) && memory > 0 ? memory / contract.lambda.oneVcpuMemoryMb : 1;
  return Math.min(MAX_SHARD_SIZE, Math.max(50, Math.round(RECIPIENTS_PER_VCPU_SECOND * share)));
}

function parseEndpoint(raw: string | undefined): string | undefined {
  // The SDK appends "/@connections/..." to the path; a trailing slash would double it.
  return parseUrl(names.apigwEndpoint, raw)?.replace(/\/+$/, '');
}

function parseUrl(name: string, raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http(s) URL`);
  }
  return value;
}

function parseAllowedOrigins(raw: string | undefined): ReadonlySet<string> | undefined {
  const entries = listedOrigins(raw);
  if (entries.length === 0) return undefined;
  const origins = new Set<string>();
  for (const entry of entries) {
    const origin = normaliseOrigin(entry);
    if (origin === undefined) {
      throw new ConfigError(
        `${names.allowedOrigins} entries must be origins like https://example.com`,
      );
    }
    origins.add(origin);
  }
  return origins;
}

function parsePositiveInteger(
  name: string,
  raw: string | undefined,
  fallback: number,
  max: number,
): number {
  const value = raw?.trim();
  if (!value) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < 1 || parsed > max) {
    throw new ConfigError(`${name} must be an integer from 1 to ${max}`);
  }
  return parsed;
}
