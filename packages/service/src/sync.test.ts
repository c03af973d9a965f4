import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schedules } from '@cronfleet/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { DEFINITION_DEFAULTS } from './input.js';
import { ScheduleFileError, readScheduleFile } from './schedule-file.js';
import { T0, at, openServiceEnv, type ServiceEnv } from './test/env.js';

let t: ServiceEnv;
let dir: string;
beforeAll(async () => {
  t = await openServiceEnv();
  dir = await mkdtemp(join(tmpdir(), 'cronfleet-sync-'));
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => t.reset());

let files = 0;
async function file(text: string, ext = '.yaml'): Promise<string> {
  const path = join(dir, `schedules-${++files}${ext}`);
  await writeFile(path, text);
  return path;
}

const FLEET = `
schedules:
  - key: heartbeat
    handler: noop
    intervalSeconds: 10
  - key: report
    handler: http.request
    cron: "0 6 * * 1-5"
    timezone: Europe/London
    payload: { url: "https://reports.test/run", method: POST }
    catchupPolicy: all
    maxCatchup: 5
    overlapPolicy: buffer_one
    startsAt: "2026-01-01T00:00:00Z"
    endsAt: 2027-01-01T00:00:00+01:00
    maxRuns: 100
    maxConsecutiveFailures: 3
    jitterSeconds: 20
  - key: nap
    handler: sleep
    cron: "* * * * *"
    payload: { ms: 10 }
`;

const syncFile = async (path: string, opts: { prune?: boolean; dryRun?: boolean } = {}) =>
  t.service.sync(await readScheduleFile(path), opts);
const keys = async () => (await t.service.list()).items.map((s) => s.key);

describe('readScheduleFile', () => {
  it('reads entries with the policy fields and fills the column defaults', async () => {
    const [heartbeat, report] = await readScheduleFile(await file(FLEET));
    expect(heartbeat).toEqual({
      ...DEFINITION_DEFAULTS,
      key: 'heartbeat',
      handler: 'noop',
      intervalSeconds: 10,
      cronExpression: null,
    });
    expect(report).toMatchObject({
      cronExpression: '0 6 * * 1-5',
      catchupPolicy: 'all',
      maxCatchup: 5,
      overlapPolicy: 'buffer_one',
      startsAt: at('2026-01-01T00:00:00Z'),
      endsAt: at('2026-12-31T23:00:00Z'),
      maxRuns: 100,
      jitterSeconds: 20,
    });
  });

  it('reads JSON, as a bare list too', async () => {
    const path = await file(
      JSON.stringify([{ key: 'j', handler: 'noop', cronExpression: '*/5 * * * *' }]),
      '.json',
    );
    expect(await readScheduleFile(path)).toMatchObject([
      { key: 'j', cronExpression: '*/5 * * * *' },
    ]);
  });

  it.each<[string, string, string, RegExp]>([
    [
      'a bad interval',
      '- { key: a, handler: noop, intervalSeconds: 1 }\n- { key: bad, handler: noop, intervalSeconds: 0 }',
      '.yaml',
      /: schedule "bad" \(entry 2\): intervalSeconds: must be at least 1 \(got 0\)$/,
    ],
    [
      'a bad policy',
      'schedules:\n  - { key: p, handler: noop, intervalSeconds: 5, overlapPolicy: never }',
      '.yml',
      /: schedule "p" \(entry 1\): overlapPolicy: expected one of skip, allow, buffer_one, cancel_previous \(got "never"\)$/,
    ],
    [
      'a bad window',
      '- { key: w, handler: noop, intervalSeconds: 5, startsAt: "2026-02-01T00:00:00Z", endsAt: "2026-01-01T00:00:00Z" }',
      '.yaml',
      /: schedule "w" \(entry 1\): endsAt: must be after startsAt/,
    ],
    [
      'a bad cron',
      '- { key: c, handler: noop, cron: "* * *" }',
      '.yaml',
      /: schedule "c" \(entry 1\): cronExpression: .*has 3 fields/,
    ],
    [
      'an entry without a key',
      '- { handler: noop, intervalSeconds: 5 }',
      '.yaml',
      /: entry 1: key: is required/,
    ],
    [
      'a repeated key',
      '- { key: d, handler: noop, intervalSeconds: 5 }\n- { key: d, handler: noop, intervalSeconds: 6 }',
      '.yaml',
      /: schedule "d" \(entry 2\): key: "d" is used by entry 1 too/,
    ],
    [
      'an unknown field',
      '- { key: u, handler: noop, intervalSeconds: 5, every: 5 }',
      '.yaml',
      /: schedule "u" \(entry 1\): every: is not a known field$/,
    ],
    ['broken YAML', 'schedules: [', '.yaml', /: not valid YAML: /],
    ['broken JSON', '{', '.json', /: not valid JSON: /],
    [
      'the wrong shape',
      'jobs: []',
      '.yaml',
      /: expected a list of schedules, or \{ schedules: \[\.\.\.\] \}$/,
    ],
  ])('fails on %s with the file, the key and the field', async (_name, text, ext, message) => {
    const path = await file(text, ext);
    const err = await readScheduleFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScheduleFileError);
    expect((err as Error).message.startsWith(`${path}: `)).toBe(true);
    expect((err as Error).message).toMatch(message);
  });

  it('says when the file cannot be read', async () => {
    await expect(readScheduleFile(join(dir, 'missing.yaml'))).rejects.toThrow(
      /missing\.yaml: cannot read the file/,
    );
  });
});

describe('sync', () => {
  it('shows the plan, applies it, and is a no-op the second time', async () => {
    const path = await file(FLEET);
    const dry = await syncFile(path, { dryRun: true });
    expect(dry).toEqual({
      plan: { create: ['heartbeat', 'report', 'nap'], update: [], unchanged: [], remove: [] },
      skipped: [],
      applied: false,
    });
    expect(await keys()).toEqual([]);

    const first = await syncFile(path);
    expect(first).toMatchObject({
      plan: { create: ['heartbeat', 'report', 'nap'] },
      applied: true,
    });
    expect(await t.service.get('report')).toMatchObject({
      overlapPolicy: 'buffer_one',
      maxCatchup: 5,
      timezone: 'Europe/London',
    });

    t.clock.advance(60_000);
    const second = await syncFile(path);
    expect(second.plan).toEqual({
      create: [],
      update: [],
      unchanged: ['heartbeat', 'report', 'nap'],
      remove: [],
    });
    expect((await t.service.get('report')).updatedAt).toEqual(T0);
  });

  it('lists changed fields, recomputes next_run_at only for a new cadence, and resets omitted fields to defaults', async () => {
    await syncFile(await file(FLEET));
    const due = at('2026-03-02T12:01:00Z');
    await t.db.update(schedules).set({ nextRunAt: due, cadenceError: 'judged earlier' });
    const changed = FLEET.replace('cron: "* * * * *"', 'cron: "*/2 * * * *"')
      .replace('    maxCatchup: 5\n', '')
      .replace(
        'payload: { url: "https://reports.test/run", method: POST }',
        'payload: { method: POST, url: "https://reports.test/run" }',
      );
    const result = await syncFile(await file(changed));
    expect(result.plan).toEqual({
      create: [],
      update: [
        { key: 'report', fields: ['maxCatchup'] },
        { key: 'nap', fields: ['cronExpression'] },
      ],
      unchanged: ['heartbeat'],
      remove: [],
    });
    // A new cadence is judged afresh: its old cadence error goes with next_run_at.
    expect(await t.service.get('report')).toMatchObject({
      maxCatchup: 100,
      nextRunAt: due,
      cadenceError: 'judged earlier',
    });
    expect(await t.service.get('nap')).toMatchObject({
      cronExpression: '*/2 * * * *',
      nextRunAt: null,
      cadenceError: null,
    });
  });

  it('skips an entry naming an unknown handler, with the reason, and applies the rest', async () => {
    const path = await file(
      `${FLEET}  - { key: mystery, handler: mail.send, intervalSeconds: 60 }\n`,
    );
    const result = await syncFile(path);
    expect(result.skipped).toEqual([
      { key: 'mystery', reason: 'unknown handler "mail.send"; known: http.request, noop, sleep' },
    ]);
    expect(result.plan.create).toEqual(['heartbeat', 'report', 'nap']);
    expect(await keys()).toEqual(['heartbeat', 'nap', 'report']);
  });

  it('removes schedules the file no longer names only with prune', async () => {
    await syncFile(await file(FLEET));
    await t.service.create({ key: 'made-by-api', handler: 'noop', intervalSeconds: 30 });
    const smaller = await file('- { key: heartbeat, handler: noop, intervalSeconds: 10 }');

    const kept = await syncFile(smaller);
    expect(kept.plan).toMatchObject({
      unchanged: ['heartbeat'],
      remove: ['made-by-api', 'nap', 'report'],
    });
    expect(await keys()).toEqual(['heartbeat', 'made-by-api', 'nap', 'report']);

    const dry = await syncFile(smaller, { prune: true, dryRun: true });
    expect(dry.plan.remove).toEqual(['made-by-api', 'nap', 'report']);
    expect(await keys()).toHaveLength(4);

    const pruned = await syncFile(smaller, { prune: true });
    expect(pruned.plan.remove).toEqual(['made-by-api', 'nap', 'report']);
    expect(await keys()).toEqual(['heartbeat']);
  });

  it('does not prune a schedule whose entry was skipped', async () => {
    await t.service.create({ key: 'mystery', handler: 'noop', intervalSeconds: 30 });
    const result = await syncFile(
      await file('- { key: mystery, handler: mail.send, intervalSeconds: 60 }'),
      { prune: true },
    );
    expect(result.plan.remove).toEqual([]);
    expect(await keys()).toEqual(['mystery']);
  });

  it('keeps runtime state, and leaves a schedule the fleet disabled alone unless its definition changes', async () => {
    const path = await file(FLEET);
    await syncFile(path);
    await t.service.pause('heartbeat', { note: 'hold' });
    await t.db
      .update(schedules)
      .set({ enabled: false, disabledReason: 'max_runs reached', runCount: 100 })
      .where(eq(schedules.key, 'report'));
    const again = await syncFile(path);
    expect(again.plan.unchanged).toEqual(['heartbeat', 'report', 'nap']);
    expect(await t.service.get('heartbeat')).toMatchObject({ state: 'paused', pauseNote: 'hold' });
    expect(await t.service.get('report')).toMatchObject({
      enabled: false,
      disabledReason: 'max_runs reached',
      runCount: 100,
    });

    const raised = await syncFile(await file(FLEET.replace('maxRuns: 100', 'maxRuns: 200')));
    expect(raised.plan.update).toEqual([{ key: 'report', fields: ['enabled', 'maxRuns'] }]);
    expect(await t.service.get('report')).toMatchObject({
      enabled: true,
      disabledReason: null,
      nextRunAt: null,
      runCount: 100,
    });
  });

  it('takes entries directly (API style) and rejects an invalid one naming key and field', async () => {
    const result = await t.service.sync([
      { key: 'x', handler: 'noop', cron: '0 * * * *', startsAt: '2026-04-01T00:00:00Z' },
    ]);
    expect(result.plan.create).toEqual(['x']);
    const err = await t.service
      .sync([
        { key: 'ok', handler: 'noop', intervalSeconds: 5 },
        { key: 'bad', handler: 'noop', intervalSeconds: 5, maxAttempts: 0 },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toBe(
      'schedule "bad" (entry 2): maxAttempts: must be at least 1 (got 0)',
    );
    expect(await keys()).toEqual(['x']);
  });

  it('rejects bad options', async () => {
    await expect(t.service.sync([], { prune: 'yes' } as never)).rejects.toThrow(
      'prune: expected true or false',
    );
  });
});
