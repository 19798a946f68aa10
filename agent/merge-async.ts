// Interleaves several async iterables into one, yielding items as they arrive (a follow-mode
// `service logs` reads every task's log at once). Ends when all sources end; the first error
// ends it with that error. Returning early closes every source.

export async function* mergeAsync<T>(sources: readonly AsyncIterable<T>[]): AsyncIterable<T> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<T> }>>();
  const next = (i: number): void => {
    pending.set(
      i,
      iterators[i]!.next().then((r) => ({ i, r })),
    );
  };
  iterators.forEach((_, i) => next(i));
  try {
    while (pending.size > 0) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) {
        pending.delete(i);
        continue;
      }
      next(i);
      yield r.value;
    }
  } finally {
    await Promise.allSettled(iterators.map((it) => (it.return ? it.return() : Promise.resolve(undefined))));
  }
}
