/**
 * The Lambda's configuration: read from the environment once per container, validated, and
 * frozen, so a typo in an environment variable fails the cold start loudly instead of breaking
 * one chat message at a time.
 */
import contract from './contract.json' with { type: 'json' };

/**
 * Fan-out sends in flight at once when SEND_CONCURRENCY is unset. Chosen with the fan-out
 * benchmark (`npm run bench -- --only fanout`, 10,000 posts answered after 20 ms, 2 cores): 25
 * stayed within 1.06-1.19x of the ideal time in every run (about 9 s), while 50 was faster (about
 * 5 s) but reached 1.27x, too close to the 1.3x target on a busy machine, and 100 or more was
 * bound by the CPU work of signing requests (1.3-4.7x). A Lambda with less memory has less CPU,
 * which favours the setting with the margin.
 */
export const DEFAULT_SEND_CONCURRENCY = 25;

/** Upper bound for SEND_CONCURRENCY: far beyond useful, low enough to catch a typo. */
const MAX_SEND_CONCURRENCY = 1000;

/** Validated configuration of the chat Lambda. */
export interface Config {
  /** DynamoDB table holding one item per open connection. */
  readonly tableName: string;
  /** Management API endpoint; undefined means derive `https://{domainName}/{stage}` per event. */
  readonly apigwEndpoint: string | undefined;
  /** Origins allowed to connect (normalised); undefined means no Origin check. */
  readonly allowedOrigins: ReadonlySet<string> | undefined;
  /** Longest accepted chat message, in UTF-16 code units (JavaScript's `length`, HTML's maxlength). */
  readonly maxMessageLength: number;
  /** PostToConnection calls in flight at once during a broadcast. */
  readonly sendConcurrency: number;
}

/** Thrown when an environment variable is missing or malformed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
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
  return Object.freeze({
    tableName,
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
  });
}

/**
 * Normalises an origin the way browsers serialise one (lower-case scheme and host, default port
 * dropped), so the allow-list and the header compare equal whenever they name the same origin.
 * @param value - an origin such as `https://Example.com:443`
 * @returns the serialised origin, or undefined when the value is not an http(s) origin
 */
export function normaliseOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  // An origin has no path, query or credentials; anything more is a misconfiguration.
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    return undefined;
  }
  return url.origin;
}

function parseEndpoint(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${names.apigwEndpoint} must be an http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${names.apigwEndpoint} must be an http(s) URL`);
  }
  // The SDK appends "/@connections/..." to the path; a trailing slash would double it.
  return value.replace(/\/+$/, '');
}

function parseAllowedOrigins(raw: string | undefined): ReadonlySet<string> | undefined {
  const entries = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
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
