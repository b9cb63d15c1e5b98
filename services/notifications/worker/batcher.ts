// Micro-batcher: coalesces concurrent calls into one batch run, flushed when `maxSize` items wait or after `maxWaitMs`.

export interface Batcher<I, O> {
  /** Queues one item; resolves with its result once its batch ran (rejects when the whole batch failed). */
  submit(item: I): Promise<O>;
  /** Runs what is waiting now. */
  flush(): void;
  /** Items waiting for the next flush. */
  readonly waiting: number;
}

export interface BatcherOptions<I, O> {
  maxSize: number;
  maxWaitMs: number;
  /** Runs one batch; must return one result per item, in order. */
  run: (items: I[]) => Promise<O[]>;
}

interface Waiter<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (err: unknown) => void;
}

export function createBatcher<I, O>(opts: BatcherOptions<I, O>): Batcher<I, O> {
  let queue: Waiter<I, O>[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    const settle = (results: O[]) => {
      if (results.length !== batch.length) throw new Error(`batch returned ${results.length} results for ${batch.length} items`);
      for (const [i, w] of batch.entries()) w.resolve(results[i] as O);
    };
    opts
      .run(batch.map((w) => w.item))
      .then(settle)
      .catch((err) => {
        for (const w of batch) w.reject(err);
      });
  };

  return {
    submit: (item) =>
      new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (queue.length >= opts.maxSize) flush();
        else timer ??= setTimeout(flush, opts.maxWaitMs);
      }),
    flush,
    get waiting() {
      return queue.length;
    },
  };
}
