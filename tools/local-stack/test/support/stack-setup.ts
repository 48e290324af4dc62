/**
 * One set-up for the local stack's integration tests, as serverless-offline's `setupTeardown` is
 * for its own: {@link useLocalStack} starts a stack before a file's tests and stops it after them;
 * {@link useRecordingStack} runs the recording fixture handler on it, with an event sink and a
 * management client.
 */
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll } from 'vitest';
import type WebSocket from 'ws';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../src/stack.ts';
import {
  connectTagged,
  type EventSink,
  FIXTURES,
  managementClient,
  startEventSink,
} from './helpers.ts';

/** A stack started for the current test file. */
export interface StackForTests {
  /** The running stack; read it inside tests and hooks, not at the file's top level. */
  readonly stack: LocalStack;
}

/** A stack running the recording fixture handler. */
export interface RecordingStack extends StackForTests {
  /** Where the handler reports each event, context and environment. */
  readonly sink: EventSink;
  /** The real management client for the stack's endpoint. */
  readonly management: ApiGatewayManagementApiClient;
  /** Connects with `?tag=…` and finds the connection's id in its CONNECT record. */
  connect(tag: string, options?: WebSocket.ClientOptions): ReturnType<typeof connectTagged>;
}

/**
 * Starts a stack for a test: the small page fixture instead of the built page, no log output,
 * then `options`.
 * @param options - the stack's options
 * @returns the running stack; stop it when done
 */
export function startTestStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  return startLocalStack({ siteDir: FIXTURES.site, log: () => {}, ...options });
}

/**
 * Starts a stack ({@link startTestStack}) before the file's tests and stops it after them.
 * @param options - the stack's options
 * @returns the stack, readable once the file's tests run
 */
export function useLocalStack(options: LocalStackOptions = {}): StackForTests {
  let stack: LocalStack | undefined;
  beforeAll(async () => {
    stack = await startTestStack(options);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  return {
    get stack(): LocalStack {
      return started(stack);
    },
  };
}

/**
 * Starts the recording fixture handler on a stack, with its event sink and a management client,
 * before the file's tests, and stops all three after them.
 * @param options - the stack's options; `env` (and an authorizer's) is added to the sink's URL
 * @returns the stack, sink, client and a tagged connect
 */
export function useRecordingStack(options: LocalStackOptions = {}): RecordingStack {
  let sink: EventSink | undefined;
  let stack: LocalStack | undefined;
  let management: ApiGatewayManagementApiClient | undefined;
  beforeAll(async () => {
    sink = await startEventSink();
    stack = await startTestStack({
      handlerPath: FIXTURES.recordingHandler,
      ...options,
      env: { EVENT_SINK_URL: sink.url, ...options.env },
      // An authorizer (the recording one) reports to the same sink.
      ...(options.authorizer !== undefined && {
        authorizer: {
          ...options.authorizer,
          env: { EVENT_SINK_URL: sink.url, ...options.authorizer.env },
        },
      }),
    });
    management = managementClient(stack);
  });
  afterAll(async () => {
    management?.destroy();
    await stack?.stop();
    await sink?.stop();
  });
  return {
    get stack(): LocalStack {
      return started(stack);
    },
    get sink(): EventSink {
      return started(sink);
    },
    get management(): ApiGatewayManagementApiClient {
      return started(management);
    },
    connect(tag, clientOptions) {
      return connectTagged(started(stack).websocketUrl, started(sink), tag, clientOptions);
    },
  };
}

function started<T>(value: T | undefined): T {
  if (value === undefined) {
    throw new Error('The stack starts in beforeAll: read it inside a test or a hook.');
  }
  return value;
}
