/**
 * Which chat a test file drives: the deployed stack `npm run test:deployed` names in the
 * environment, or else (in `npm test`) a local stack started for the file.
 */
import { randomBytes } from 'node:crypto';
import type { ChatTarget } from './chat-target.ts';
import { SETTINGS_VARIABLE, settingsFromJson } from './deployed-settings.ts';
import { deployedTarget } from './deployed-target.ts';
import { localTarget } from './local-target.ts';

/** The environment variable holding the run's id, which every room name of the run carries. */
export const RUN_ID_VARIABLE = 'BEHAVIOUR_RUN_ID';

/** What a test file asks of its target. */
export interface TargetRequest {
  /** Sign-in on: a local stack is started with it; a deployed one has it or not. */
  readonly signIn?: boolean;
}

/**
 * Opens the run's target for a test file.
 * @param request - what the file asks of it
 * @param env - the environment
 * @returns the target; `stop()` it when done
 */
export async function openTarget(
  request: TargetRequest = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChatTarget> {
  const settings = env[SETTINGS_VARIABLE];
  if (settings !== undefined && settings !== '') {
    return deployedTarget(settingsFromJson(settings), env);
  }
  return localTarget({ signIn: request.signIn === true });
}

/**
 * A new run id: 6 characters of `a-z0-9`, short enough for room names.
 * @returns the id
 */
export function newRunId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(6)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/**
 * The run's id, from the environment, or one made for this process.
 * @param env - the environment
 * @returns the id
 */
export function runIdFrom(env: NodeJS.ProcessEnv = process.env): string {
  const given = env[RUN_ID_VARIABLE];
  if (given !== undefined && /^[a-z0-9]{1,8}$/.test(given)) return given;
  processRunId ??= newRunId();
  return processRunId;
}

let processRunId: string | undefined;
