/**
 * A dying invocation for tests (`stack.faults.killNextInvocation`): the container that runs the
 * next invocation of a route is killed after a delay, as an execution environment that crashes
 * or runs out of memory mid-way. The invocation fails (`Runtime.ExitError`), and API Gateway
 * answers the client with its `Internal server error` frame, as it does on AWS; a shard batch goes
 * back to its queue.
 */
import type { RunningInvocation } from '../lambda-runner.ts';
import { type InjectedFault, requirePositive } from './injected-fault.ts';

/** What `killNextInvocation` takes. */
export interface KillNextInvocationOptions {
  /**
   * The route key of the invocation to kill (`$default`, `$connect`…), or `sqs` for a batch of
   * shards from the event source mapping.
   */
  readonly route: string;
  /** How long the invocation runs before its container is killed; 0 kills it at once. */
  readonly afterMs: number;
}

/** An armed kill. */
export interface InjectedKill extends InjectedFault {
  /**
   * Settles once the kill is over: true when the container was killed mid-invocation, false when
   * the invocation ended first (or `clear()` disarmed the kill).
   */
  readonly killed: Promise<boolean>;
}

/**
 * The route an event belongs to: its `requestContext.routeKey`, or `sqs` for the event source
 * mapping's batch.
 * @param event - what the function is invoked with
 * @returns the route, or undefined for any other event
 */
export function routeOfEvent(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  if ('requestContext' in event) {
    const context = event.requestContext;
    if (typeof context === 'object' && context !== null && 'routeKey' in context) {
      return typeof context.routeKey === 'string' ? context.routeKey : undefined;
    }
  }
  if ('Records' in event && Array.isArray(event.Records)) {
    const [first] = event.Records as unknown[];
    if (typeof first === 'object' && first !== null && 'eventSource' in first) {
      return first.eventSource === 'aws:sqs' ? 'sqs' : undefined;
    }
  }
  return undefined;
}

/** One armed kill, waiting for its invocation or for its delay. */
class KillRule implements InjectedKill {
  readonly route: string;
  readonly afterMs: number;
  readonly killed: Promise<boolean>;
  #settle: (killed: boolean) => void = () => {};
  #timer: NodeJS.Timeout | undefined;
  #injected = 0;

  constructor(options: KillNextInvocationOptions) {
    if (typeof options.route !== 'string' || options.route === '') {
      throw new RangeError('killNextInvocation: route must be a route key, e.g. $default, or sqs');
    }
    if (options.afterMs !== 0)
      requirePositive('killNextInvocation: afterMs', options.afterMs, false);
    this.route = options.route;
    this.afterMs = options.afterMs;
    this.killed = new Promise((resolve) => {
      this.#settle = resolve;
    });
  }

  get injected(): number {
    return this.#injected;
  }

  /** Kills `running` after the delay, unless it ends first. */
  schedule(running: RunningInvocation): void {
    this.#timer = setTimeout(() => {
      const killed = running.kill();
      if (killed) this.#injected++;
      this.#settle(killed);
    }, this.afterMs);
  }

  /** Disarms the kill; one already done stays done. */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#settle(false);
  }
}

/** The armed kills of one stack. */
export class InvocationKills {
  #armed: KillRule[] = [];
  #scheduled = new Set<KillRule>();

  /**
   * Arms a kill of the next invocation of `route`.
   * @returns the kill; `killed` says whether it happened
   * @throws RangeError without a route, or with a negative delay
   */
  add(options: KillNextInvocationOptions): InjectedKill {
    const rule = new KillRule(options);
    this.#armed.push(rule);
    return rule;
  }

  /**
   * For the Lambda runner: an invocation starts. The first armed kill of its route is scheduled.
   * @param event - the invocation's event
   * @param running - the invocation, to kill
   */
  onInvocationStart(event: unknown, running: RunningInvocation): void {
    if (this.#armed.length === 0) return;
    const route = routeOfEvent(event);
    const rule = this.#armed.find((candidate) => candidate.route === route);
    if (rule === undefined) return;
    this.#armed = this.#armed.filter((candidate) => candidate !== rule);
    this.#scheduled.add(rule);
    void rule.killed.then(() => this.#scheduled.delete(rule));
    rule.schedule(running);
  }

  /** Disarms every kill, those waiting for their invocation and those waiting for their delay. */
  clear(): void {
    for (const rule of [...this.#armed, ...this.#scheduled]) rule.cancel();
    this.#armed = [];
    this.#scheduled.clear();
  }
}
