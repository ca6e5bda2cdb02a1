// Lookups made by many jobs at once (the applied version of each record, each record's xref) are
// answered by one statement per turn of the event loop instead of one each: jobs of a claimed batch
// reach the same step within a few microtasks of each other, so a flush on setImmediate gathers them.

/** `get(key)` resolves with what one `load` of every key asked for in the same turn returned for it. */
export function batchLoader<K, V>(load: (keys: K[]) => Promise<Map<K, V>>): (key: K) => Promise<V | undefined> {
  let pending: Map<K, Array<{ resolve: (v: V | undefined) => void; reject: (e: unknown) => void }>> | undefined;
  const flush = async () => {
    const batch = pending!;
    pending = undefined;
    try {
      const found = await load([...batch.keys()]);
      for (const [key, waiters] of batch) for (const w of waiters) w.resolve(found.get(key));
    } catch (e) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(e);
    }
  };
  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      if (!pending) {
        pending = new Map();
        setImmediate(() => void flush());
      }
      const waiters = pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else pending.set(key, [{ resolve, reject }]);
    });
}

/** Splits `items` into chunks of `size` (bound parameters per statement stay under SQLite's limit). */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
