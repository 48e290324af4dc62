/**
 * What the suite knows of a deployed stack before it reaches it: its URLs, from the command line
 * or from `terraform output -json`, and what the user says of it. It travels from the command to
 * the test workers as JSON in one environment variable ({@link SETTINGS_VARIABLE}).
 */
import contract from '../../../contract/contract.json' with { type: 'json' };
import type { RateLimit } from './chat-target.ts';

/** The environment variable that hands the settings to the test files. */
export const SETTINGS_VARIABLE = 'BEHAVIOUR_DEPLOYED_STACK';

/** A deployed stack, as the suite is told of it. */
export interface DeployedSettings {
  /** The WebSocket URL with its stage (terraform output `websocket_url`). */
  readonly websocketUrl: string;
  /** The chat page (terraform output `website_url`). */
  readonly siteUrl: string;
  /** The connections table (terraform output `table_name`), to find a room's connection ids. */
  readonly tableName: string | undefined;
  /** The region of the API and the table; undefined for the SDK's own choice. */
  readonly region: string | undefined;
  /** The deployment's budget per person and connection (`rate_limit_burst`, `…_per_second`). */
  readonly rateLimit: RateLimit;
  /** The local address the suite's clients connect from; undefined for the system's choice. */
  readonly clientAddress: string | undefined;
}

/** The default budget, as Terraform's variables default it. */
export const DEFAULT_RATE_LIMIT: RateLimit = {
  burst: contract.limits.rateLimitBurst,
  perSecond: contract.limits.rateLimitPerSecond,
};

/** A URL or an output the suite cannot use. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/**
 * Checks the WebSocket URL (pure).
 * @param raw - e.g. `wss://abc123.execute-api.eu-west-1.amazonaws.com/prod`
 * @returns the URL without a trailing slash, query or fragment
 * @throws SettingsError when it is not a ws:// or wss:// URL
 */
export function websocketUrlOf(raw: string): string {
  const url = parsedUrl(raw, 'the WebSocket URL');
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') {
    throw new SettingsError(`the WebSocket URL must start with wss:// (or ws://), got ${raw}`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * Checks the page's URL (pure).
 * @param raw - e.g. `https://d111.cloudfront.net`
 * @returns the URL as given
 * @throws SettingsError when it is not an http:// or https:// URL
 */
export function siteUrlOf(raw: string): string {
  const url = parsedUrl(raw, 'the page URL');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SettingsError(`the page URL must start with https:// (or http://), got ${raw}`);
  }
  return url.href;
}

/**
 * The region in an API Gateway URL (pure).
 * @param websocketUrl - the WebSocket URL
 * @returns e.g. `eu-west-1` for `wss://abc.execute-api.eu-west-1.amazonaws.com/prod`; undefined
 *   for any other host (a custom domain, the local stack)
 */
export function regionOfApi(websocketUrl: string): string | undefined {
  const host = new URL(websocketUrl).hostname;
  return /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(host)?.[1];
}

/** The outputs the suite reads from `terraform output -json`. */
export interface StackOutputs {
  readonly websocketUrl: string;
  readonly siteUrl: string;
  readonly tableName: string | undefined;
}

/**
 * Reads `terraform output -json` (pure).
 * @param json - its stdout
 * @param dir - where it ran, for the messages
 * @returns the URLs and the connections table
 * @throws SettingsError when an output the suite needs is missing
 */
export function outputsOf(json: string, dir: string): StackOutputs {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new SettingsError(`terraform output -json in ${dir} did not print JSON`);
  }
  const outputs = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<
    string,
    { readonly value?: unknown } | undefined
  >;
  const value = (name: string): string | undefined => {
    const found = outputs[name]?.value;
    return typeof found === 'string' && found !== '' ? found : undefined;
  };
  const websocketUrl = value('websocket_url');
  const siteUrl = value('website_url');
  if (websocketUrl === undefined || siteUrl === undefined) {
    throw new SettingsError(
      `terraform output in ${dir} has no websocket_url or website_url: is the stack deployed ` +
        'there (npm run deploy), and is it the folder with its state?',
    );
  }
  return {
    websocketUrl: websocketUrlOf(websocketUrl),
    siteUrl: siteUrlOf(siteUrl),
    tableName: value('table_name'),
  };
}

/**
 * Reads the settings back in a test worker (pure).
 * @param json - the variable's value
 * @returns the settings
 * @throws SettingsError when the value is not what the command wrote
 */
export function settingsFromJson(json: string): DeployedSettings {
  try {
    const settings = JSON.parse(json) as DeployedSettings;
    websocketUrlOf(settings.websocketUrl);
    siteUrlOf(settings.siteUrl);
    return settings;
  } catch (error) {
    throw new SettingsError(
      `${SETTINGS_VARIABLE} does not hold the settings npm run test:deployed writes`,
      { cause: error },
    );
  }
}

function parsedUrl(raw: string, what: string): URL {
  try {
    return new URL(raw.trim());
  } catch {
    throw new SettingsError(`${what} is not a URL: ${raw}`);
  }
}
