// One local "Lambda container": a worker thread that imports the handler module once (its cold
// start) and then runs one invocation at a time. Plain JavaScript on purpose: worker threads do
// not inherit tsx's TypeScript loader under every runner (vitest, plain node), and this file must
// start everywhere the stack does.
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ handlerUrl: string, handlerExport: string, typescript: boolean, functionName: string, functionVersion: string, memoryLimitInMB: string, region: string, accountId: string }} */
const config = workerData;

if (parentPort === null) throw new Error('lambda-worker.mjs must run as a worker thread');
const port = parentPort;

let handler;
let initError;
try {
  // A TypeScript handler (e.g. backend/src/handler.ts, to skip the build while developing) loads
  // through tsx, the dev dependency the project's scripts already run on.
  if (config.typescript) (await import('tsx/esm/api')).register();
  const module = await import(config.handlerUrl);
  handler = module[config.handlerExport];
  if (typeof handler !== 'function') {
    initError = {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: `${config.handlerExport} is not a function exported by the handler module`,
    };
  }
} catch (error) {
  initError = { errorType: errorName(error), errorMessage: String(error?.message ?? error) };
}
if (initError === undefined) {
  port.on('message', (message) => {
    runInvocation(message).then((outcome) => port.postMessage(outcome));
  });
  port.postMessage({ type: 'ready' });
} else {
  port.postMessage({ type: 'init-error', ...initError });
}

/**
 * Runs one invocation and turns its result or error into a serializable outcome.
 * @param {{ invocationId: number, event: unknown, awsRequestId: string, deadlineMs: number }} message
 */
async function runInvocation(message) {
  const context = lambdaContext(message.awsRequestId, message.deadlineMs);
  try {
    const result = await callHandler(message.event, context);
    // Lambda returns the result to API Gateway as JSON; round-tripping here drops what JSON drops.
    const json = JSON.stringify(result);
    return {
      type: 'result',
      invocationId: message.invocationId,
      result: json === undefined ? null : JSON.parse(json),
    };
  } catch (error) {
    return {
      type: 'error',
      invocationId: message.invocationId,
      errorType: errorName(error),
      errorMessage: String(error?.message ?? error),
    };
  }
}

/** Supports both async handlers and the older callback style, like the Node.js runtime. */
function callHandler(event, context) {
  return new Promise((resolve, reject) => {
    const callback = (error, result) => (error ? reject(error) : resolve(result));
    try {
      const returned = handler(event, context, callback);
      if (returned !== undefined && typeof returned?.then === 'function') {
        returned.then(resolve, reject);
      } else if (handler.length < 3) {
        resolve(returned);
      }
    } catch (error) {
      reject(error);
    }
  });
}

function lambdaContext(awsRequestId, deadlineMs) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: config.functionName,
    functionVersion: config.functionVersion,
    invokedFunctionArn: `arn:aws:lambda:${config.region}:${config.accountId}:function:${config.functionName}`,
    memoryLimitInMB: config.memoryLimitInMB,
    awsRequestId,
    logGroupName: `/aws/lambda/${config.functionName}`,
    logStreamName: `local/[${config.functionVersion}]${awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function errorName(error) {
  return typeof error?.name === 'string' ? error.name : 'Error';
}
