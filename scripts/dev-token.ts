/**
 * `npm run dev-token -- --user NAME`: prints an ID token for one of the local stack's dev users
 * (`npm start -- --auth` must be running), so scripts and tests can connect without a browser:
 *
 *   wscat -c ws://127.0.0.1:3001/prod -s awsome-chat -s "bearer.$(npm run -s dev-token -- --user alice)"
 *
 * The token comes from the running issuer through the authorization code flow with PKCE, as the
 * page gets its own (scripts/lib/dev-sign-in.ts), so the local authorizer accepts it like any
 * other. Only the token goes to stdout; errors are one line on stderr, as every command's.
 */
import { runCommand } from './lib/command.ts';
import { DEFAULT_LOCAL_ISSUER, signInDevUser } from './lib/dev-sign-in.ts';
import { readFlags, UsageError } from './lib/flags.ts';

const HELP = `Usage: npm run dev-token -- --user NAME [--issuer URL]

Prints an ID token for a dev user of the local issuer that \`npm start -- --auth\` runs.

Options:
  --user NAME     the dev user (alice, bob or carol)
  --issuer URL    the local issuer (default ${DEFAULT_LOCAL_ISSUER})
  -h, --help      show this help
`;

const FLAGS = {
  user: { type: 'string' },
  issuer: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(argv: readonly string[]): Promise<void> {
  const values = readFlags(argv, FLAGS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return;
  }
  if (values.user === undefined || values.user.trim() === '') {
    throw new UsageError('--user NAME is required (alice, bob or carol)');
  }
  const tokens = await signInDevUser(values.issuer ?? DEFAULT_LOCAL_ISSUER, values.user.trim());
  process.stdout.write(`${tokens.idToken}\n`);
}

await runCommand(
  { name: 'npm run dev-token', usageHint: 'Run `npm run dev-token -- --help` for the options.' },
  () => main(process.argv.slice(2)),
);
