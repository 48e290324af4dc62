/** Test helpers for the load benchmark. */
import { silentProgress } from '../../src/common/progress.ts';
import type { DeliveryCounts } from '../../src/load/delivery-tracker.ts';
import type { LoadRunOptions } from '../../src/load/generator.ts';

/**
 * A small, quick load run: 6 clients, 5 measured messages after 1 warm-up, back to back.
 * @param websocketUrl - the server to load
 * @param overrides - fields to change
 * @returns the options for runLoad
 */
export const loadOptions = (
  websocketUrl: string,
  overrides: Partial<LoadRunOptions> = {},
): LoadRunOptions => ({
  websocketUrl,
  clients: 6,
  messages: 5,
  warmup: 1,
  rate: 0,
  senders: 0,
  connectRate: 0,
  connectConcurrency: 3,
  origin: undefined,
  messageTimeoutMs: 5000,
  signal: new AbortController().signal,
  progress: silentProgress,
  label: 'test',
  ...overrides,
});

/**
 * @param messages - measured messages of a run
 * @returns the counts of a run in which each reached every other client exactly once
 */
export const deliveredOnce = (messages: number): DeliveryCounts => ({
  messagesSent: messages,
  messagesComplete: messages,
  receiptsLost: 0,
  receiptsDuplicated: 0,
  receiptsBySender: 0,
  receiptsUnknown: 0,
});
