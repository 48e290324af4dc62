// One local "Lambda container": a child process that imports the handler module once (its cold
// start) and then runs one invocation at a time. A process of its own, so the stack can hold it to
// Lambda's CPU share (cpu-share.ts), replace it when it hangs, and read its memory and CPU time.
// Plain JavaScript on purpose: it must start wherever the stack does, with or without tsx.
//
// Protocol (IPC with lambda-runner.ts): the parent sends {type:'init', ...config} once it has put
// this process in its CPU group; we answer {type:'ready', nodeVersion} or {type:'init-error'};
// then each {type:'invoke'} gets one {type:'result'} or {type:'error'}.

/** @type {{ handlerUrl: string, handlerExport: string, typescript: boolean, runtime: string, nodeMajor: number, functionName: string, functionVersion: string, memoryLimitInMB: string, region: string, accountId: string }} */
let config;
let handler;

if (typeof process.send !== 'function') {
  console.error(
    'lambda-container.mjs must be started by the local stack (it needs an IPC channel)',
  );
  process.exit(2);
}

process.on('message', (message) => {
  if (message?.type === 'init') void init(message);
  else if (message?.type === 'invoke') {
    void runInvocation(message).then((outcome) => process.send(outcome));
  }
});
// The parent going away ends the container too.
process.on('disconnect', () => process.exit(0));

async function init(message) {
  config = message;
  // What passes here must pass on Lambda: a container on another Node.js major than the
  // function's runtime would prove nothing, so it refuses to load the handler at all.
  if (Number.parseInt(process.versions.node, 10) !== config.nodeMajor) {
    process.send({
      type: 'init-error',
      errorType: 'Runtime.WrongNodeVersion',
      errorMessage:
        `this Lambda container runs Node.js ${process.version}, but the function's runtime is ` +
        `${config.runtime}. Start the local stack through npm (\`npm start\`), which runs the ` +
        `Node.js ${config.nodeMajor} that \`npm ci\` installs in node_modules/.bin.`,
    });
    return;
  }
  try {
    // A TypeScript handler (e.g. backend/src/handler.ts, to skip the build while developing) loads
    // through tsx, the dev dependency the project's scripts already run on.
    if (config.typescript) (await import('tsx/esm/api')).register();
    const module = await import(config.handlerUrl);
    handler = module[config.handlerExport];
    if (typeof handler !== 'function') {
      process.send({
        type: 'init-error',
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: `${config.handlerExport} is not a function exported by the handler module`,
      });
      return;
    }
  } catch (error) {
    process.send({
      type: 'init-error',
      errorType: errorName(error),
      errorMessage: String(error?.message ?? error),
    });
    return;
  }
  process.send({ type: 'ready', nodeVersion: process.version });
}

/**
 * Runs one invocation and turns its result or error into a serializable outcome.
 * @param {{ invocationId: number, event: unknown, awsRequestId: string, deadlineMs: number }} message
 */
async function runInvocation(message) {
  const context = lambdaContext(message.awsRequestId, message.deadlineMs);
  // CPU time of this invocation (one at a time per container), for the benchmarks' CPU per post.
  const cpuBefore = process.cpuUsage();
  const cpuMicros = () => {
    const used = process.cpuUsage(cpuBefore);
    return used.user + used.system;
  };
  try {
    const result = await callHandler(message.event, context);
    // Lambda returns the result to API Gateway as JSON; round-tripping here drops what JSON drops.
    const json = JSON.stringify(result);
    return {
      type: 'result',
      invocationId: message.invocationId,
      result: json === undefined ? null : JSON.parse(json),
      cpuMicros: cpuMicros(),
    };
  } catch (error) {
    return {
      type: 'error',
      invocationId: message.invocationId,
      errorType: errorName(error),
      errorMessage: String(error?.message ?? error),
      cpuMicros: cpuMicros(),
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
