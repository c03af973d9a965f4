import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './config.js';
import { jobsHeld } from './worker.js';

describe('worker config', () => {
  it.each([
    ['unset: as many as the concurrency, decided by the worker', {}, undefined, 20],
    ['empty: the same as unset', { WORKER_PREFETCH: ' ' }, undefined, 20],
    ['0: hold no more jobs than run', { WORKER_PREFETCH: '0' }, 0, 10],
    ['a number', { WORKER_PREFETCH: '25' }, 25, 35],
  ])('WORKER_PREFETCH %s', (_, env, prefetch, held) => {
    const config = loadWorkerConfig({ WORKER_CONCURRENCY: '10', ...env });
    expect(config.WORKER_PREFETCH).toBe(prefetch);
    expect(jobsHeld(config.WORKER_CONCURRENCY, config.WORKER_PREFETCH)).toBe(held);
  });

  it.each(['-1', '1.5', 'lots', '1001'])('refuses WORKER_PREFETCH=%s, naming it', (value) => {
    expect(() => loadWorkerConfig({ WORKER_PREFETCH: value })).toThrow(/WORKER_PREFETCH/);
  });
});
