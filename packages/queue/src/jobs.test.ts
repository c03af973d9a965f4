import type { DispatchRun } from '@cronfleet/db';
import { describe, expect, it } from 'vitest';
import { BACKOFF_TYPE, toRunJob } from './jobs.js';

const run: DispatchRun = {
  runId: '6f1c2b0e-3d4a-4b5c-8d9e-0f1a2b3c4d5e',
  scheduleId: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9',
  scheduleKey: 'nightly',
  handler: 'noop',
  payload: { a: 1 },
  scheduledFor: new Date('2026-03-08T07:00:00Z'),
  trigger: 'schedule',
  maxAttempts: 4,
  backoffMs: 250,
  timeoutMs: 1_000,
  jitterSeconds: 0,
  overlapPolicy: 'skip',
};

describe('toRunJob', () => {
  it('makes the run id the job id and carries everything a worker needs', () => {
    const job = toRunJob(run);
    expect(job.opts).toMatchObject({
      jobId: run.runId,
      attempts: 4,
      backoff: { type: BACKOFF_TYPE, delay: 250 },
    });
    expect(job.opts.delay).toBeUndefined();
    expect(job.data).toEqual({
      runId: run.runId,
      scheduleId: run.scheduleId,
      scheduleKey: 'nightly',
      handler: 'noop',
      payload: { a: 1 },
      scheduledFor: '2026-03-08T07:00:00.000Z',
      trigger: 'schedule',
      timeoutMs: 1_000,
      overlapPolicy: 'skip',
    });
  });

  it.each([
    [0, 0],
    [0.5, 15_000],
    [0.999, 29_970],
  ])(
    'jitter of 30 s with random %f delays the job %i ms and keeps the slot time',
    (random, delay) => {
      const job = toRunJob({ ...run, jitterSeconds: 30 }, () => random);
      expect(job.opts.delay ?? 0).toBe(delay);
      expect(job.data.scheduledFor).toBe('2026-03-08T07:00:00.000Z');
    },
  );
});
