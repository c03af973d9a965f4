import { createDb, runAttempts, scheduleRuns, type DbHandle } from '@cronfleet/db';
import { createRunQueue, type RunQueue } from '@cronfleet/queue';
import { createTestEnv, type TestEnv } from '@cronfleet/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure, fleetFor, fleetJson, type Fleet } from './test/cli.js';

type Row = Record<string, unknown>;
interface RunNow {
  run: Row & { id: string };
  status: string;
  reason?: string;
  queued: boolean;
}
interface Backfill {
  slots: string[];
  existing: number;
  truncated: boolean;
  runs?: (Row & { id: string })[];
  queued?: boolean;
}

let env: TestEnv;
let fleet: Fleet;
let handle: DbHandle;
let queue: RunQueue;
beforeAll(async () => {
  env = await createTestEnv();
  fleet = fleetFor(env);
  handle = createDb({ url: env.databaseUrl, max: 2 });
  queue = createRunQueue({ redisUrl: env.redisUrl, prefix: env.queuePrefix });
  const hourly = ['--handler', 'noop', '--interval-seconds', '3600'];
  await fleetJson(fleet, 'schedules', 'create', 'hourly', ...hourly);
  await fleetJson(fleet, 'schedules', 'create', 'busy', ...hourly);
});
afterAll(async () => {
  await queue?.close();
  await handle?.close();
  await env?.close();
});

describe('fleet schedules run', () => {
  it('writes a manual run and hands it to Redis', async () => {
    const result = await fleetJson<RunNow>(fleet, 'schedules', 'run', 'hourly');
    expect(result).toMatchObject({ status: 'queued', queued: true });
    expect(result.run).toMatchObject({ trigger: 'manual', status: 'queued' });
    expect(await queue.existing([result.run.id])).toEqual(new Set([result.run.id]));

    const runs = await fleetJson<{ items: Row[]; total: number }>(
      fleet,
      ...['runs', 'list', '--schedule', 'hourly'],
    );
    expect(runs.total).toBe(1);
    expect(runs.items[0]).toMatchObject({
      id: result.run.id,
      scheduleKey: 'hourly',
      trigger: 'manual',
    });
    const table = await fleet('runs', 'list', '--schedule', 'hourly');
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^ID\s+SCHEDULE\s+SLOT\s+TRIGGER\s+STATUS\s+ATTEMPTS\s+FINISHED\s+NOTE$/,
    );
    expect(lines[1]).toMatch(
      new RegExp(`^${result.run.id}\\s+hourly\\s+\\S+\\s+manual\\s+queued\\s+0`),
    );
    expect(lines.at(-1)).toBe('1 run');
  });

  it('answers skipped, with the reason, while a run is in flight; --force runs anyway', async () => {
    const busy = await fleetJson<{ id: string }>(fleet, 'schedules', 'show', 'busy');
    const startedAt = new Date(Date.now() - 5_000);
    const [running] = await handle.db
      .insert(scheduleRuns)
      .values({
        scheduleId: busy.id,
        scheduledFor: new Date('2026-01-01T00:00:00Z'),
        status: 'running',
        attempts: 1,
        startedAt,
      })
      .returning();
    await handle.db.insert(runAttempts).values({
      runId: running!.id,
      attempt: 1,
      workerId: 'worker-7',
      status: 'running',
      startedAt,
    });

    const text = await fleet('schedules', 'run', 'busy');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^run \S+ of busy skipped: overlap \(a run is in flight/);
    const skipped = await fleetJson<RunNow>(fleet, 'schedules', 'run', 'busy');
    expect(skipped).toMatchObject({ status: 'skipped', reason: 'overlap', queued: false });
    expect(skipped.run).toMatchObject({ status: 'skipped', reason: 'overlap' });
    expect(await queue.existing([skipped.run.id])).toEqual(new Set());
    const forced = await fleetJson<RunNow>(fleet, 'schedules', 'run', 'busy', '--force');
    expect(forced).toMatchObject({ status: 'queued', queued: true });

    const detail = await fleetJson<{ run: Row; attempts: Row[] }>(
      fleet,
      ...['runs', 'show', running!.id],
    );
    expect(detail.run).toMatchObject({ id: running!.id, scheduleKey: 'busy', status: 'running' });
    expect(detail.attempts).toEqual([
      expect.objectContaining({ attempt: 1, workerId: 'worker-7', status: 'running' }),
    ]);
    const shown = await fleet('runs', 'show', running!.id);
    expect(shown.stdout).toMatch(/^status\s+running$/m);
    expect(shown.stdout).toMatch(/^attempts \(1\)$/m);
    expect(shown.stdout).toMatch(/^\s*1\s+worker-7\s+running\s/m);

    const filtered = await fleetJson<{ items: Row[] }>(
      fleet,
      ...['runs', 'list', '--schedule', 'busy', '--status', 'skipped', '--trigger', 'manual'],
    );
    expect(filtered.items.map((r) => r.id)).toEqual([skipped.run.id, text.stdout.split(' ')[1]]);
  });
});

describe('fleet schedules run without Redis', () => {
  it('writes the run as pending for the relay instead of waiting for Redis', async () => {
    const offline = fleetFor(env, { REDIS_URL: 'redis://127.0.0.1:1' });
    const result = await offline('schedules', 'run', 'hourly', '--force', '--json');
    expect(result.code).toBe(0);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/Redis \(REDIS_URL\) does not answer: .*relay will deliver them$/),
    ]);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 'pending',
      queued: false,
      run: { status: 'pending', trigger: 'manual' },
    });
  });
});

describe('fleet schedules backfill', () => {
  const range = ['--from', '2026-01-01T00:00:00Z', '--to', '2026-01-01T05:00:00Z'];
  const hours = [0, 1, 2, 3, 4, 5].map((h) => `2026-01-01T0${h}:00:00.000Z`);

  it('shows the missing slots in a dry run and writes nothing', async () => {
    const dry = await fleetJson<Backfill>(
      fleet,
      ...['schedules', 'backfill', 'hourly', ...range, '--dry-run'],
    );
    expect(dry).toEqual({ slots: hours, existing: 0, truncated: false });
    const text = await fleet('schedules', 'backfill', 'hourly', ...range, '--dry-run');
    expect(text.stdout.split('\n')[0]).toBe(
      'dry run: would create 6 backfill runs for hourly; 0 slots in the range already had runs',
    );
    const runs = await fleetJson<{ total: number }>(fleet, 'runs', 'list', '--trigger', 'backfill');
    expect(runs.total).toBe(0);
  });

  it('creates one queued run per slot, and nothing the second time', async () => {
    const first = await fleetJson<Backfill>(fleet, 'schedules', 'backfill', 'hourly', ...range);
    expect(first).toMatchObject({ slots: hours, existing: 0, truncated: false, queued: true });
    const ids = first.runs!.map((r) => r.id);
    expect(ids).toHaveLength(6);
    expect(await queue.existing(ids)).toEqual(new Set(ids));

    const second = await fleetJson<Backfill>(fleet, 'schedules', 'backfill', 'hourly', ...range);
    expect(second).toMatchObject({ slots: [], existing: 6, runs: [] });
    const text = await fleet('schedules', 'backfill', 'hourly', ...range, '--limit', '2');
    expect(text.stdout).toBe(
      'created 0 backfill runs for hourly; 6 slots in the range already had runs\n',
    );

    const listed = await fleetJson<{ items: Row[]; total: number }>(
      fleet,
      ...['runs', 'list', '--trigger', 'backfill', '--from', '2026-01-01T02:00:00Z'],
      ...['--to', '2026-01-01T03:00:00Z', '--limit', '5'],
    );
    expect(listed.items.map((r) => r.scheduledFor)).toEqual([hours[3], hours[2]]);
  });

  it('rejects a range reaching into the future, naming the field', async () => {
    await expectFailure(
      fleet,
      ['schedules', 'backfill', 'hourly', '--from', '2026-01-01', '--to', '2999-01-01'],
      1,
      /^fleet: invalid backfill: to: must not be in the future/,
    );
  });
});

describe('fleet runs', () => {
  it('reports an unknown run, a bad status and a bad date', async () => {
    await expectFailure(fleet, ['runs', 'show', 'nope'], 1, /^fleet: run "nope" not found$/);
    await expectFailure(fleet, ['runs', 'list', '--status', 'odd'], 2, /Allowed choices/);
    await expectFailure(fleet, ['runs', 'list', '--from', 'yesterday'], 2, /--from <iso>/);
    await expectFailure(fleet, ['runs', 'list', '--schedule', 'nope'], 1, /"nope" not found/);
  });
});
