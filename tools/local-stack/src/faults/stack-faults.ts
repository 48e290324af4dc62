/**
 * Fault injection on a running stack, for tests (`stack.faults`): `@connections` outages, SQS
 * refusing the function's sends, DynamoDB failing an operation, a container dying mid-invocation.
 * Each kind lives in its own module; this one gives them the names tests code against.
 * Nothing here has a command-line flag: `npm start` never injects a fault.
 */
import type { DynamoDbFaults, FailDynamoDbOptions } from './dynamodb-faults.ts';
import type { InjectedFault } from './injected-fault.ts';
import type {
  InjectedKill,
  InvocationKills,
  KillNextInvocationOptions,
} from './invocation-kills.ts';
import type { FailPostsOptions, PostFaults } from './post-faults.ts';
import type { FailQueueSendsOptions, QueueSendFaults } from './queue-send-faults.ts';

/** What `failShardSends` takes: which entries fail, and of which queue (default the shard queue). */
export type FailShardSendsOptions = FailQueueSendsOptions & {
  /** `deadLetter` fails the function's sends to the dead-letter queue instead. */
  readonly queue?: 'shard' | 'deadLetter';
};

/** The faults a test can inject into a running stack. */
export interface StackFaults {
  /**
   * `@connections` POSTs answer with an error status (500 `InternalServerErrorException` by
   * default) for `forMs`, for `count` posts, or for the given `connectionIds` only; without
   * `forMs` and `count`, until `clear()`.
   */
  failPosts(options?: FailPostsOptions): InjectedFault;
  /**
   * The function's SendMessage and SendMessageBatch entries to the shard queue fail: the first
   * `firstAttempts` attempts of each entry (default 1; an entry is known by its body), or `all`
   * of them until `clear()`. A failed batch entry is reported in the batch's `Failed` list; a
   * failed SendMessage answers 500 `InternalError`.
   */
  failShardSends(options?: FailShardSendsOptions): InjectedFault;
  /** The next `count` DynamoDB calls of `operation` the function makes answer 500. */
  failDynamoDb(options: FailDynamoDbOptions): InjectedFault;
  /** The container running the next invocation of `route` is killed after `afterMs`. */
  killNextInvocation(options: KillNextInvocationOptions): InjectedKill;
  /** Disarms every fault. */
  clear(): void;
}

/** The parts that inject each kind of fault, and the queues' names. */
export interface StackFaultParts {
  readonly posts: PostFaults;
  readonly queueSends: QueueSendFaults;
  readonly dynamoDb: DynamoDbFaults;
  readonly kills: InvocationKills;
  readonly queueNames: { readonly shard: string; readonly deadLetter: string };
}

/**
 * The stack's faults, over its parts.
 * @param parts - what injects each kind of fault
 * @returns the faults tests call
 */
export function createStackFaults(parts: StackFaultParts): StackFaults {
  return {
    failPosts: (options) => parts.posts.add(options),
    failShardSends: (options = {}) => {
      const { queue = 'shard', ...which } = options;
      if (queue !== 'shard' && queue !== 'deadLetter') {
        throw new RangeError(`failShardSends: queue must be shard or deadLetter, got ${queue}`);
      }
      return parts.queueSends.add(parts.queueNames[queue], which as FailQueueSendsOptions);
    },
    failDynamoDb: (options) => parts.dynamoDb.add(options),
    killNextInvocation: (options) => parts.kills.add(options),
    clear: () => {
      parts.posts.clear();
      parts.queueSends.clear();
      parts.dynamoDb.clear();
      parts.kills.clear();
    },
  };
}
