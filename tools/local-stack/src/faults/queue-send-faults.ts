/**
 * SQS failures for tests (`stack.faults.failShardSends`): the function's SendMessage and
 * SendMessageBatch entries for a queue fail, either the first attempts of each entry or all of
 * them, as SQS fails entries when it has trouble of its own. Only the function's sends over SQS's
 * API: the event source mapping and the redrive, which run inside SQS on AWS, are not touched.
 */
import { type InjectedFault, requirePositive } from './injected-fault.ts';

/** Which entries fail: the first N attempts of each (default 1), or every one until `clear()`. */
export type FailQueueSendsOptions = { readonly firstAttempts?: number } | { readonly all: true };

/** One armed fault on one queue. */
class QueueSendFaultRule implements InjectedFault {
  readonly queueName: string;
  readonly #firstAttempts: number | undefined;
  /** Attempts seen so far per entry, an entry known by its body. */
  readonly #attempts = new Map<string, number>();
  #injected = 0;

  constructor(queueName: string, options: FailQueueSendsOptions) {
    this.queueName = queueName;
    if ('all' in options) {
      if (options.all !== true) throw new RangeError('failShardSends: all must be true');
      this.#firstAttempts = undefined;
    } else {
      requirePositive('failShardSends: firstAttempts', options.firstAttempts);
      this.#firstAttempts = options.firstAttempts ?? 1;
    }
  }

  get injected(): number {
    return this.#injected;
  }

  /** Whether this attempt to send `body` fails, counting the attempt. */
  strike(body: string): boolean {
    let fails = true;
    if (this.#firstAttempts !== undefined) {
      const attempt = (this.#attempts.get(body) ?? 0) + 1;
      this.#attempts.set(body, attempt);
      fails = attempt <= this.#firstAttempts;
    }
    if (fails) this.#injected++;
    return fails;
  }
}

/** The armed send faults of one stack's queues. */
export class QueueSendFaults {
  #rules: QueueSendFaultRule[] = [];

  /**
   * Arms a fault on `queueName`. An entry is known by its body: a retry that sends the same body
   * is the same entry's next attempt.
   * @param queueName - the queue whose sends fail
   * @param options - the first attempts of each entry, or all
   * @returns the fault, counting the entries it failed
   * @throws RangeError for a count that is not a positive whole number
   */
  add(queueName: string, options: FailQueueSendsOptions): InjectedFault {
    const rule = new QueueSendFaultRule(queueName, options);
    this.#rules.push(rule);
    return rule;
  }

  /**
   * Whether SQS refuses this entry: any armed fault on the queue fails it.
   * @param queueName - the queue it is sent to
   * @param body - the entry's body
   */
  refuses(queueName: string, body: string): boolean {
    let refused = false;
    // Every rule sees the attempt, so each one's count of attempts stays true.
    for (const rule of this.#rules) {
      if (rule.queueName === queueName && rule.strike(body)) refused = true;
    }
    return refused;
  }

  /** Disarms every send fault. */
  clear(): void {
    this.#rules = [];
  }
}
