/**
 * `npm start`: runs the whole chat offline on the local stack (see stack.ts) until Ctrl-C or
 * SIGTERM, printing the URLs a user needs, one line per Lambda invocation, one per metrics record
 * the function writes, and a summary of those metrics when it stops.
 */
import { runCommand } from '../../../scripts/lib/command.ts';
import { HELP_TEXT, parseCommandLine } from './cli-options.ts';
import { formatMetricsSummary } from './function-metrics.ts';
import { HandlerLoadError, WrongNodeVersionError } from './lambda-runner.ts';
import { PortInUseError } from './listen.ts';
import {
  AuthNeedsLoopbackError,
  type LocalStackAuth,
  MissingBuildError,
  startLocalStack,
} from './stack.ts';
import { TemplateError } from './templates.ts';

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommandLine(argv);
  if (command.help) {
    process.stdout.write(HELP_TEXT);
    return 0;
  }

  const stack = await startLocalStack(command.options);
  const storage = command.options.persistDir ?? 'in memory';
  const { nodeVersion, runtime } = stack.lambdaRuntime;
  for (const warning of stack.warnings) console.error(`warning: ${warning}`);
  console.log(
    [
      'AWSome Chat is running offline.',
      `  Chat page:            ${stack.pageUrl}`,
      `  WebSocket URL:        ${stack.websocketUrl}`,
      `  Management endpoint:  ${stack.managementEndpoint}`,
      `  DynamoDB endpoint:    ${stack.dynamoEndpoint} (table ${stack.tableName}, ${storage})`,
      `  SQS endpoint:         ${stack.sqsEndpoint} (shard queue and its dead-letter queue)`,
      `  Lambda containers:    Node.js ${nodeVersion} (Lambda: ${runtime}), ${stack.cpuLimit.description}`,
      ...signInLines(stack.auth),
      'Open the chat page in two browser tabs. Press Ctrl-C to stop.',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) {
        // A second Ctrl-C: the user does not want to wait for a clean shutdown.
        process.exit(130);
      }
      stopping = true;
      console.log('Stopping...');
      void stack.stop().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  // What the function's metrics added up to, as the dashboard would have shown it.
  const metrics = stack.metrics();
  if (metrics.records > 0 || metrics.callbackThrottled > 0) {
    console.log(formatMetricsSummary(metrics, metrics.callbackThrottled));
  }
  console.log('Stopped.');
  return 0;
}

/** What `--auth` adds to the greeting: the issuer, its client, its users, how to get a token. */
function signInLines(auth: LocalStackAuth | undefined): string[] {
  if (auth === undefined) return [];
  return [
    `  Sign-in issuer:       ${auth.issuer} (OpenID Connect, client ${auth.clientId})`,
    `  Dev users:            ${auth.users.join(', ')} (one click, no password)`,
    `  A token for scripts:  npm run dev-token -- --user ${auth.users[0] ?? 'alice'}`,
  ];
}

await runCommand(
  {
    name: 'npm start',
    usageHint: 'Run `npm start -- --help` for the options.',
    expected: [
      PortInUseError,
      MissingBuildError,
      HandlerLoadError,
      WrongNodeVersionError,
      TemplateError,
      AuthNeedsLoopbackError,
    ],
  },
  () => main(process.argv.slice(2)),
);
