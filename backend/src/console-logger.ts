/**
 * The production logger: one line per invocation, written so CloudWatch Logs Insights can query
 * its fields under Lambda's JSON log format and stays one line per call under the text format.
 */

/** A log line as the console logger takes it: JSON-serialisable fields, one of them the level. */
export type ConsoleLogLine = Readonly<Record<string, unknown>> & { readonly level: string };

/**
 * Builds the production logger: one line per call, through the console method of the line's
 * level (`console.info`, `console.warn` or `console.error`).
 *
 * Under Lambda's JSON log format the Node.js runtime replaces those console methods, and writes a
 * call with a single argument as `{"timestamp", "level", "requestId", "message": <argument>}`,
 * serialised with JSON.stringify (`formatJsonMessage` in
 * https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/blob/main/src/LogPatch.js).
 * An object argument therefore stays an object under `message`, whose fields CloudWatch Logs
 * Insights discovers as `message.outcome`, `message.durationMs`…; a JSON string would stay one
 * opaque string there. Without that format (the text format, the local stack, tests), an object
 * would be printed by util.inspect over many lines, so the line is written as JSON text instead:
 * one line each.
 * @param logFormat - the runtime's log format, from `AWS_LAMBDA_LOG_FORMAT` (`JSON` or `Text`),
 *   read as the runtime reads it: case-insensitively, anything but `JSON` meaning text
 * @returns the logger
 */
export function createConsoleLogger(logFormat: string | undefined): (line: ConsoleLogLine) => void {
  const runtimeWritesJson = logFormat?.toUpperCase() === 'JSON';
  return (line) => {
    const argument = runtimeWritesJson ? line : JSON.stringify(line);
    if (line.level === 'error') console.error(argument);
    else if (line.level === 'warn') console.warn(argument);
    else console.info(argument);
  };
}

/**
 * The logger the Lambda entry point uses, for the log format Lambda runs this container with
 * (Terraform sets JSON).
 */
export const logToConsole: (line: ConsoleLogLine) => void = createConsoleLogger(
  process.env.AWS_LAMBDA_LOG_FORMAT,
);
