/**
 * `npm run build`: bundles the Lambda functions (the chat and the `$connect` authorizer of the
 * auth modes) into their deterministic zips and the chat page into `frontend/dist`, the
 * artefacts Terraform uploads and the local stack serves.
 */
import { buildFrontend } from './build-frontend.ts';
import { buildAuthorizer, buildLambda } from './build-lambda.ts';
import { CommandError, runCommand } from './lib/command.ts';

await runCommand({ name: 'npm run build' }, async () => {
  await bundle('the Lambda bundle', buildLambda);
  await bundle("the authorizer's bundle", buildAuthorizer);
  await bundle('the chat page', buildFrontend);
});

/**
 * Runs one bundle step. esbuild has already printed its own errors, with file and line, when it
 * fails; the user then learns which artefact is missing and what to do, in one line.
 */
async function bundle(what: string, build: () => Promise<unknown>): Promise<void> {
  try {
    await build();
  } catch (error) {
    if (!isEsbuildFailure(error)) throw error;
    throw new CommandError(
      `${what} did not build (esbuild's errors are above). Fix them and run npm run build again.`,
      { cause: error },
    );
  }
}

/** esbuild rejects a failed build with an error that lists its messages in `errors`. */
function isEsbuildFailure(error: unknown): boolean {
  return error instanceof Error && Array.isArray((error as { errors?: unknown }).errors);
}
