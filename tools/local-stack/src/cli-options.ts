/**
 * The `npm start` command line: flags, their defaults and the help text, parsed with
 * node:util's parseArgs into {@link LocalStackOptions}.
 */
import { resolve } from 'node:path';
import contract from '../../../contract/contract.json' with { type: 'json' };
import {
  parseInteger,
  parsePositiveNumber,
  readFlags,
  UsageError,
} from '../../../scripts/lib/flags.ts';
import { CLI_PORTS, LOCAL_STACK_DEFAULTS } from './defaults.ts';
import { DEV_USERS } from './dev-users.ts';
import { isLoopbackHost } from './network.ts';
import type { LocalStackOptions } from './stack.ts';

/** What the command line asks for. */
export type CliCommand =
  | { readonly help: true }
  | { readonly help: false; readonly options: LocalStackOptions };

const DEFAULTS = LOCAL_STACK_DEFAULTS;

/** Well above any account's quota (10,000 a second by default): a typo, not a setting. */
const MAX_CALLBACK_RATE = 1_000_000;

/** `npm start -- --help`; every default comes from defaults.ts. */
export const HELP_TEXT = `Usage: npm start -- [options]

Runs AWSome Chat offline: DynamoDB (dynalite), the Lambda handler, a local API Gateway
WebSocket endpoint with its @connections API, and the chat page.

Options:
  --host ADDRESS                 interface of the page and the WebSocket endpoint
                                 (default ${DEFAULTS.host}; @connections and DynamoDB stay on
                                 loopback; see docs/local-stack.md, Local security)
  --http-port PORT               chat page port (default ${CLI_PORTS.httpPort}; 0 = any free port)
  --ws-port PORT                 WebSocket + @connections port (default ${CLI_PORTS.wsPort}; 0 = any free port)
  --dynamo-port PORT             DynamoDB port (default ${CLI_PORTS.dynamoPort}; 0 = any free port)
  --stage NAME                   stage in the WebSocket URL and management endpoint
                                 (default ${DEFAULTS.stage})
  --handler FILE[#EXPORT]        run this Lambda handler module instead of the built bundle
                                 (default ${DEFAULTS.handlerFile}#${DEFAULTS.handlerExport})
  --route KEY                    a route with an integration; repeat for several
                                 (default ${DEFAULTS.routes.join(' ')})
  --env NAME=VALUE               extra Lambda environment variable; repeat for several
                                 (e.g. --env ${contract.environment.allowedOrigins}=http://127.0.0.1:3000)
  --persist DIR                  keep DynamoDB data in DIR across restarts (default: in memory)
  --site DIR                     serve this built page (default ${DEFAULTS.siteDir})
  --idle-timeout SECONDS         close idle connections with 1001 (default ${inSeconds(DEFAULTS.idleTimeoutMs)})
  --max-connection-duration SECONDS
                                 close any connection after this long with 1001 (default ${inSeconds(DEFAULTS.maxConnectionMs)})
  --integration-timeout SECONDS  API Gateway's integration timeout (default ${inSeconds(DEFAULTS.integrationTimeoutMs)})
  --function-timeout SECONDS     the Lambda function timeout (default ${inSeconds(DEFAULTS.functionTimeoutMs)})
  --concurrency N                most Lambda containers at once (default ${DEFAULTS.maxConcurrency}; a new AWS
                                 account's quota); up to ${DEFAULTS.maxQueued} more invocations wait, the
                                 rest are throttled
  --memory MB                    the function's memory; containers run at Lambda's CPU share
                                 for it (default ${DEFAULTS.memoryMb}; Terraform's lambda_memory_mb)
  --full-cpu                     run containers at this machine's full CPU instead
  --sqs-port PORT                the shard queue's SQS endpoint, on loopback (default ${CLI_PORTS.sqsPort})
  --callback-rate N              the account's callback budget: at most N @connections posts a
                                 second, with a burst of N/2 (AWS's quota: 10000, burst 5000);
                                 past it a post answers 429 LimitExceededException (no limit
                                 unless given)
  --auth                         sign-in, as the oidc mode on AWS: a local OpenID Connect issuer
                                 with the dev users ${devUserNames()}, and the authorizer on
                                 $connect (see docs/local-stack.md, Sign-in)
  --issuer-port PORT             the local issuer's port, on loopback, with --auth
                                 (${CLI_PORTS.issuerPort}; 0 = any free port)
  -h, --help                     show this help
`;

/**
 * Parses `argv` (without node and script).
 *
 * @throws UsageError for unknown flags, missing values and malformed numbers.
 */
export function parseCommandLine(argv: readonly string[]): CliCommand {
  const values = readFlags(argv, FLAGS);
  if (values.help === true) return { help: true };

  const options: LocalStackOptions = {
    httpPort: parseInteger('--http-port', values['http-port'], CLI_PORTS.httpPort, 0, 65_535),
    wsPort: parseInteger('--ws-port', values['ws-port'], CLI_PORTS.wsPort, 0, 65_535),
    dynamoPort: parseInteger(
      '--dynamo-port',
      values['dynamo-port'],
      CLI_PORTS.dynamoPort,
      0,
      65_535,
    ),
    sqsPort: parseInteger('--sqs-port', values['sqs-port'], CLI_PORTS.sqsPort, 0, 65_535),
    // What AWS would show: containers at the CPU share of the function's memory.
    limitCpu: values['full-cpu'] !== true,
  };
  if (values.host !== undefined) options.host = values.host;
  if (values.stage !== undefined) {
    if (!/^[\w-]+$/.test(values.stage)) {
      throw new UsageError(`--stage takes letters, digits, - and _, got '${values.stage}'`);
    }
    options.stage = values.stage;
  }
  if (values.handler !== undefined) {
    const [file, exportName, ...rest] = values.handler.split('#');
    if (!file || exportName === '' || rest.length > 0) {
      throw new UsageError('--handler takes FILE or FILE#EXPORT, e.g. ./my-handler.mjs#handler');
    }
    options.handlerPath = resolve(file);
    if (exportName !== undefined) options.handlerExport = exportName;
  }
  if (values.route !== undefined) options.routes = values.route;
  if (values.env !== undefined) options.env = environment(values.env);
  if (values.persist !== undefined) options.persistDir = resolve(values.persist);
  if (values.site !== undefined) options.siteDir = resolve(values.site);
  const milliseconds = (flag: SecondsFlag): number | undefined => {
    const value = parsePositiveNumber(`--${flag}`, values[flag], undefined);
    return value === undefined ? undefined : Math.round(value * 1000);
  };
  setIfDefined(options, 'idleTimeoutMs', milliseconds('idle-timeout'));
  setIfDefined(options, 'maxConnectionMs', milliseconds('max-connection-duration'));
  setIfDefined(options, 'integrationTimeoutMs', milliseconds('integration-timeout'));
  setIfDefined(options, 'functionTimeoutMs', milliseconds('function-timeout'));
  setIfDefined(
    options,
    'maxConcurrency',
    parseInteger('--concurrency', values.concurrency, undefined, 1, 64),
  );
  setIfDefined(
    options,
    'callbackRate',
    parseInteger('--callback-rate', values['callback-rate'], undefined, 1, MAX_CALLBACK_RATE),
  );
  if (values.auth === true) {
    if (options.host !== undefined && !isLoopbackHost(options.host)) {
      throw new UsageError(
        `--auth keeps the chat on this machine: its issuer serves plain http, which the ` +
          `authorizer accepts only on loopback; leave --host ${options.host} out`,
      );
    }
    options.auth = {
      issuerPort: parseInteger(
        '--issuer-port',
        values['issuer-port'],
        CLI_PORTS.issuerPort,
        0,
        65_535,
      ),
    };
  } else if (values['issuer-port'] !== undefined) {
    throw new UsageError('--issuer-port goes with --auth');
  }
  // Lambda's own range (terraform/variables.tf validates lambda_memory_mb the same way).
  setIfDefined(
    options,
    'memoryMb',
    parseInteger('--memory', values.memory, undefined, 128, 10_240),
  );
  return { help: false, options };
}

/** Every flag the parser accepts (parseArgs' configuration). */
export const FLAGS = {
  host: { type: 'string' },
  'http-port': { type: 'string' },
  'ws-port': { type: 'string' },
  'dynamo-port': { type: 'string' },
  stage: { type: 'string' },
  handler: { type: 'string' },
  route: { type: 'string', multiple: true },
  env: { type: 'string', multiple: true },
  persist: { type: 'string' },
  site: { type: 'string' },
  'idle-timeout': { type: 'string' },
  'max-connection-duration': { type: 'string' },
  'integration-timeout': { type: 'string' },
  'function-timeout': { type: 'string' },
  concurrency: { type: 'string' },
  memory: { type: 'string' },
  'full-cpu': { type: 'boolean' },
  'sqs-port': { type: 'string' },
  'callback-rate': { type: 'string' },
  auth: { type: 'boolean' },
  'issuer-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type SecondsFlag =
  | 'idle-timeout'
  | 'max-connection-duration'
  | 'integration-timeout'
  | 'function-timeout';

function environment(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator);
    if (separator < 1 || !/^[A-Za-z_]\w*$/.test(name)) {
      throw new UsageError(`--env takes NAME=VALUE, got '${pair}'`);
    }
    env[name] = pair.slice(separator + 1);
  }
  return env;
}

function setIfDefined<K extends keyof LocalStackOptions>(
  options: LocalStackOptions,
  key: K,
  value: LocalStackOptions[K] | undefined,
): void {
  if (value !== undefined) options[key] = value;
}

function devUserNames(): string {
  return DEV_USERS.map((user) => user.username).join(', ');
}

function inSeconds(milliseconds: number): string {
  return String(milliseconds / 1000);
}
