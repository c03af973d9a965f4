import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDb,
  runAttempts,
  scheduleRuns,
  schedules,
  type DbHandle,
  type RunStatus,
} from '@cronfleet/db';
import { createTestEnv, type TestEnv } from '@cronfleet/testing';
import { pruneHistoryHandler } from './builtins.js';
import { testContext } from './test/context.js';

const NOW = new Date('2024-06-01T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

let env: TestEnv;
let handle: DbHandle;

beforeAll(async () => {
  env = await createTestEnv();
  handle = createDb({ url: env.databaseUrl, max: 2 });
});

afterAll(async () => {
  await handle?.close();
  await env?.close();
});

interface RunSpec {
  label: string;
  status: RunStatus;
  scheduledFor: Date;
  finishedAt: Date | null;
}

async function seed(specs: readonly RunSpec[], key = 'prune-me'): Promise<Map<string, string>> {
  const [schedule] = await handle.db
    .insert(schedules)
    .values({ key, handler: 'noop', intervalSeconds: 60 })
    .returning({ id: schedules.id });
  if (!schedule) throw new Error('schedule insert returned nothing');
  const ids = new Map<string, string>();
  for (const spec of specs) {
    const [run] = await handle.db
      .insert(scheduleRuns)
      .values({
        scheduleId: schedule.id,
        scheduledFor: spec.scheduledFor,
        status: spec.status,
        attempts: 1,
        // A run's row is written when its slot is claimed, so it is as old as its slot.
        createdAt: spec.scheduledFor,
        claimedAt: spec.scheduledFor,
        startedAt: spec.scheduledFor,
        finishedAt: spec.finishedAt,
      })
      .returning({ id: scheduleRuns.id });
    if (!run) throw new Error('run insert returned nothing');
    ids.set(spec.label, run.id);
    await handle.db.insert(runAttempts).values({
      runId: run.id,
      attempt: 1,
      workerId: 'w1',
      status:
        spec.status === 'running'
          ? 'running'
          : spec.status === 'succeeded'
            ? 'succeeded'
            : 'failed',
      startedAt: spec.scheduledFor,
      finishedAt: spec.finishedAt,
    });
  }
  return ids;
}

describe('fleet.prune-history', () => {
  it('deletes exactly the finished runs older than the cut-off, with their attempts', async () => {
    const ids = await seed([
      {
        label: 'old succeeded',
        status: 'succeeded',
        scheduledFor: daysAgo(40),
        finishedAt: daysAgo(40),
      },
      { label: 'old failed', status: 'failed', scheduledFor: daysAgo(35), finishedAt: daysAgo(35) },
      {
        label: 'old skipped',
        status: 'skipped',
        scheduledFor: daysAgo(31),
        finishedAt: daysAgo(31),
      },
      {
        label: 'recent succeeded',
        status: 'succeeded',
        scheduledFor: daysAgo(29),
        finishedAt: daysAgo(29),
      },
      {
        label: 'recent failed',
        status: 'failed',
        scheduledFor: daysAgo(1),
        finishedAt: daysAgo(1),
      },
      // Still in flight with old timestamps (a stuck worker left finished_at set): never pruned.
      {
        label: 'old running',
        status: 'running',
        scheduledFor: daysAgo(60),
        finishedAt: daysAgo(60),
      },
    ]);
    const handler = pruneHistoryHandler({ db: handle.db, now: () => NOW });

    const payload = handler.payload.parse({});
    const result = await handler.run(payload, testContext());

    expect(result).toEqual({ deletedRuns: 3, olderThan: daysAgo(30).toISOString() });
    const runsLeft = await handle.db.select({ id: scheduleRuns.id }).from(scheduleRuns);
    const attemptsLeft = await handle.db.select({ runId: runAttempts.runId }).from(runAttempts);
    const kept = ['recent succeeded', 'recent failed', 'old running']
      .map((label) => ids.get(label))
      .sort();
    expect(runsLeft.map((r) => r.id).sort()).toEqual(kept);
    expect(attemptsLeft.map((a) => a.runId).sort()).toEqual(kept);
  });

  it("keeps a schedule's last succeeded or failed run however old: views read its last outcome from it", async () => {
    const ids = await seed(
      [
        { label: 'failed', status: 'failed', scheduledFor: daysAgo(90), finishedAt: daysAgo(90) },
        { label: 'last', status: 'succeeded', scheduledFor: daysAgo(60), finishedAt: daysAgo(60) },
        { label: 'skipped', status: 'skipped', scheduledFor: daysAgo(40), finishedAt: daysAgo(40) },
      ],
      'monthly',
    );
    const handler = pruneHistoryHandler({ db: handle.db, now: () => NOW });
    const result = await handler.run({ olderThanDays: 30 }, testContext());
    expect(result).toMatchObject({ deletedRuns: 2 });
    const mine = new Set(ids.values());
    const left = (await handle.db.select({ id: scheduleRuns.id }).from(scheduleRuns)).filter((r) =>
      mine.has(r.id),
    );
    expect(left.map((r) => r.id)).toEqual([ids.get('last')]);
  });

  it('stops when the run is aborted', async () => {
    const handler = pruneHistoryHandler({ db: handle.db, now: () => NOW });
    const reason = new Error('shutting down');
    await expect(
      handler.run({ olderThanDays: 1 }, testContext({ signal: AbortSignal.abort(reason) })),
    ).rejects.toBe(reason);
  });
});
