/**
 * The flags of `npm run test:deployed`: which deployed stack (its Terraform folder, or its two
 * URLs), and what the suite must know of it that its outputs do not say.
 */
import { isIP } from 'node:net';
import { parseInteger, readFlags, UsageError } from '../../../scripts/lib/flags.ts';
import type { RateLimit } from './chat-target.ts';
import { DEFAULT_RATE_LIMIT, siteUrlOf, websocketUrlOf } from './deployed-settings.ts';

/** Where the stack's URLs come from. */
export type StackSource =
  | { readonly kind: 'terraform'; readonly dir: string }
  | { readonly kind: 'urls'; readonly websocketUrl: string; readonly siteUrl: string };

/** What the command was asked to do. */
export type DeployedRunOptions =
  | { readonly help: true }
  | {
      readonly help: false;
      readonly source: StackSource;
      /** `--table`, which wins over the Terraform output. */
      readonly tableName: string | undefined;
      readonly region: string | undefined;
      readonly rateLimit: RateLimit;
      readonly clientAddress: string | undefined;
      /** Only the suite's files whose names contain one of these. */
      readonly only: readonly string[];
    };

/** The help text. */
export const HELP = `Usage: npm run test:deployed -- --stack DIR [options]
       npm run test:deployed -- --url WSS_URL --site PAGE_URL [options]

Runs the behaviour suite (tools/behaviour/suite) against a deployed chat, with your own AWS
credentials (the AWS SDK's default chain: AWS_PROFILE, aws sso login, the environment...), then
lists every test it skipped and why, and what the run cost. It sends real messages: see
docs/testing.md for the cost and for what it needs.

The stack:
  --stack DIR                     read websocket_url, website_url and table_name from
                                  \`terraform output -json\` in DIR (e.g. terraform/)
  --url URL                       the WebSocket URL (terraform output websocket_url)
  --site URL                      the chat page (terraform output website_url)
  --table NAME                    the connections table (terraform output table_name): the
                                  tests that need a connection's id are skipped without it
  --region REGION                 the region of the API and the table (default: from the URL)

What the suite must know of it:
  --rate-limit-burst N            the stack's rate_limit_burst (default ${DEFAULT_RATE_LIMIT.burst})
  --rate-limit-per-second N       the stack's rate_limit_per_second (default ${DEFAULT_RATE_LIMIT.perSecond})
  --client-address ADDRESS        connect the suite's WebSocket clients from this local address

  --only NAME                     run only the suite's files whose name contains NAME (repeatable)
  -h, --help                      show this help

With sign-in on, the suite signs in as a test user: set BEHAVIOUR_ID_TOKEN (an ID token of the
stack's issuer), or BEHAVIOUR_USERNAME and BEHAVIOUR_PASSWORD (a Cognito user of the stack's pool,
whose app client allows USER_PASSWORD_AUTH); BEHAVIOUR_ID_TOKEN_2, or BEHAVIOUR_USERNAME_2 and
BEHAVIOUR_PASSWORD_2, add a second user. Without them the tests that connect are skipped.
`;

const FLAGS = {
  stack: { type: 'string' },
  url: { type: 'string' },
  site: { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  'rate-limit-burst': { type: 'string' },
  'rate-limit-per-second': { type: 'string' },
  'client-address': { type: 'string' },
  only: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

const USAGE_HINT = 'Run `npm run test:deployed -- --help` for the options.';

/**
 * Reads the command line.
 * @param argv - the arguments after `--`
 * @returns the options
 * @throws UsageError naming the flag that is wrong or missing
 */
export function parseDeployedRunOptions(argv: readonly string[]): DeployedRunOptions {
  const values = readFlags(argv, FLAGS, USAGE_HINT);
  if (values.help === true) return { help: true };
  return {
    help: false,
    source: sourceOf(values.stack, values.url, values.site),
    tableName: nonEmpty('--table', values.table),
    region: region(values.region),
    rateLimit: {
      burst: parseInteger(
        '--rate-limit-burst',
        values['rate-limit-burst'],
        DEFAULT_RATE_LIMIT.burst,
        1,
      ),
      perSecond: parseInteger(
        '--rate-limit-per-second',
        values['rate-limit-per-second'],
        DEFAULT_RATE_LIMIT.perSecond,
        1,
      ),
    },
    clientAddress: address(values['client-address']),
    only: values.only ?? [],
  };
}

function sourceOf(
  stack: string | undefined,
  url: string | undefined,
  site: string | undefined,
): StackSource {
  if (stack !== undefined) {
    if (url !== undefined || site !== undefined) {
      throw new UsageError('give either --stack or --url and --site, not both');
    }
    return { kind: 'terraform', dir: nonEmpty('--stack', stack) as string };
  }
  if (url === undefined || site === undefined) {
    throw new UsageError(
      'say which stack: --stack DIR (its Terraform folder), or --url WSS_URL and --site PAGE_URL',
    );
  }
  return {
    kind: 'urls',
    websocketUrl: asUsage(() => websocketUrlOf(url)),
    siteUrl: asUsage(() => siteUrlOf(site)),
  };
}

function asUsage(check: () => string): string {
  try {
    return check();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`${flag} needs a value`);
  return value.trim();
}

function region(value: string | undefined): string | undefined {
  const given = nonEmpty('--region', value);
  if (given !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(given)) {
    throw new UsageError(`--region must be a region code such as eu-west-1, got ${given}`);
  }
  return given;
}

function address(value: string | undefined): string | undefined {
  const given = nonEmpty('--client-address', value);
  if (given !== undefined && isIP(given) === 0) {
    throw new UsageError(`--client-address must be an IP address, got ${given}`);
  }
  return given;
}
