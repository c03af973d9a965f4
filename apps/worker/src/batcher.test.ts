import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.js';

describe('batcher', () => {
  it('writes the items of one turn together and hands each its own output', async () => {
    const batches: number[][] = [];
    const batcher = createBatcher<number, number>({
      run: (items) => {
        batches.push(items);
        return Promise.resolve(items.map((n) => n * 10));
      },
    });
    const outputs = await Promise.all([batcher.push(1), batcher.push(2), batcher.push(3)]);
    expect(outputs).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('gives every item of a failed batch the error, by promise or by callback', async () => {
    const batcher = createBatcher<number, number>({
      run: () => Promise.reject(new Error('Postgres went away')),
    });
    const seen: [boolean, unknown][] = [];
    batcher.enqueue(1, (ok, value) => seen.push([ok, value]));
    await expect(batcher.push(2)).rejects.toThrow('Postgres went away');
    expect(seen).toEqual([[false, new Error('Postgres went away')]]);
  });

  it('still settles the rest of a batch when one callback throws, then reports that error', async () => {
    const reported: unknown[] = [];
    const onUnhandled = (err: unknown) => reported.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const batcher = createBatcher<number, number>({ run: (items) => Promise.resolve(items) });
      batcher.enqueue(1, () => {
        throw new Error('a broken callback');
      });
      const second = batcher.push(2);
      await expect(second).resolves.toBe(2);
      await batcher.drain();
      await new Promise((resolve) => setImmediate(resolve));
      expect(reported).toEqual([new Error('a broken callback')]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
