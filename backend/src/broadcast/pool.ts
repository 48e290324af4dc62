/**
 * A dependency-free worker pool: at most `concurrency` tasks in flight, items pulled lazily from
 * a (possibly asynchronous) source, so a paginated Scan feeds sends as its pages arrive and
 * 10,000 recipients never mean 10,000 simultaneous requests.
 */

/**
 * Runs `task` for every item with at most `concurrency` tasks in flight. A failing task does not
 * stop the others (allSettled-style); failures are re-thrown together once everything settled.
 * @param items - the items, pulled one at a time as workers free up
 * @param concurrency - the most tasks in flight at once (at least 1)
 * @param task - the work for one item
 * @returns when every task settled
 * @throws the source's error, a task's error, or an AggregateError when several failed
 */
export async function forEachWithConcurrency<T>(
  items: Iterable<T> | AsyncIterable<T>,
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError('concurrency must be a positive integer');
  }
  const iterator = toAsyncIterator(items);
  const errors: unknown[] = [];
  let sourceDone = false;

  const worker = async (): Promise<void> => {
    while (!sourceDone) {
      let next: IteratorResult<T>;
      try {
        // Concurrent next() calls on an async generator are queued by the language, so
        // workers never receive the same item twice.
        next = await iterator.next();
      } catch (error) {
        sourceDone = true;
        errors.push(error);
        return;
      }
      if (next.done) {
        sourceDone = true;
        return;
      }
      try {
        await task(next.value);
      } catch (error) {
        errors.push(error);
      }
    }
  };

  await Promise.all(Array.from({ length: concurrency }, worker));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} tasks failed`);
}

function toAsyncIterator<T>(items: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in items) return items[Symbol.asyncIterator]();
  return (async function* () {
    yield* items;
  })();
}
