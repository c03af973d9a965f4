import { createTestEnv, type TestEnv } from '@cronfleet/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure, fleetFor, fleetJson, type Fleet } from './test/cli.js';

type View = Record<string, unknown>;

let env: TestEnv;
let fleet: Fleet;
beforeAll(async () => {
  env = await createTestEnv();
  fleet = fleetFor(env);
});
afterAll(async () => env?.close());

describe('fleet schedules', () => {
  it('creates interval and cron schedules', async () => {
    const ping = await fleet(
      'schedules',
      'create',
      'ping',
      '--handler',
      'noop',
      '--every',
      '30s',
      '--group',
      'ops',
    );
    expect(ping).toEqual({
      code: 0,
      stdout: 'created ping: every 30 s, handler noop, enabled\n',
      stderr: '',
    });

    const nightly = await fleetJson<View>(
      fleet,
      ...['schedules', 'create', 'nightly', '--handler', 'sleep', '--cron', '30 1 * * *'],
      ...['--timezone', 'Europe/London', '--payload', '{"ms":100}', '--name', 'Nightly'],
      ...['--max-attempts', '5', '--backoff-ms', '2000', '--timeout-ms', '5000'],
      ...['--catchup', 'all', '--max-catchup', '10', '--overlap', 'allow'],
      ...['--ends-at', '2099-01-01T00:00:00Z', '--max-runs', '100', '--jitter-seconds', '5'],
      ...['--max-consecutive-failures', '3', '--disabled'],
    );
    expect(nightly).toMatchObject({
      key: 'nightly',
      handler: 'sleep',
      cronExpression: '30 1 * * *',
      intervalSeconds: null,
      timezone: 'Europe/London',
      payload: { ms: 100 },
      name: 'Nightly',
      maxAttempts: 5,
      backoffMs: 2000,
      timeoutMs: 5000,
      catchupPolicy: 'all',
      maxCatchup: 10,
      overlapPolicy: 'allow',
      endsAt: '2099-01-01T00:00:00.000Z',
      maxRuns: 100,
      maxConsecutiveFailures: 3,
      jitterSeconds: 5,
      enabled: false,
      state: 'disabled',
    });
  });

  it('lists schedules as a table and as JSON, with filters', async () => {
    const table = await fleet('schedules', 'list');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^KEY\s+GROUP\s+STATE\s+FREQUENCY\s+HANDLER\s+NEXT RUN/);
    expect(lines[1]).toMatch(/^nightly\s+-\s+disabled\s+daily at 01:30 \(Europe\/London\)\s+sleep/);
    expect(lines[2]).toMatch(/^ping\s+ops\s+enabled\s+every 30 s\s+noop/);
    expect(lines.at(-1)).toBe('2 schedules');
    // Columns line up: every row starts its STATE column where the header does.
    const stateAt = lines[0]!.indexOf('STATE');
    expect(lines[1]!.slice(stateAt)).toMatch(/^disabled/);
    expect(lines[2]!.slice(stateAt)).toMatch(/^enabled/);

    const all = await fleetJson<{ items: View[]; total: number }>(fleet, 'schedules', 'list');
    expect(all.total).toBe(2);
    expect(all.items.map((s) => s.key)).toEqual(['nightly', 'ping']);
    const ops = await fleetJson<{ items: View[] }>(fleet, 'schedules', 'list', '--group', 'ops');
    expect(ops.items.map((s) => s.key)).toEqual(['ping']);
    const disabled = await fleetJson<{ items: View[] }>(
      fleet,
      ...['schedules', 'list', '--status', 'disabled', '--limit', '10', '--offset', '0'],
    );
    expect(disabled.items.map((s) => s.key)).toEqual(['nightly']);
    const page = await fleet('schedules', 'list', '--limit', '1', '--offset', '1');
    expect(page.stdout).toContain('2–2 of 2 schedules');
  });

  it('shows one schedule by key or id', async () => {
    const view = await fleetJson<View>(fleet, 'schedules', 'show', 'ping');
    expect(view).toMatchObject({ key: 'ping', intervalSeconds: 30, frequency: 'every 30 s' });
    const byId = await fleetJson<View>(fleet, 'schedules', 'show', String(view.id));
    expect(byId.key).toBe('ping');
    const text = await fleet('schedules', 'show', 'nightly');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^key\s+nightly$/m);
    expect(text.stdout).toMatch(/^cron\s+30 1 \* \* \*$/m);
    expect(text.stdout).toMatch(/^payload\s+\{"ms":100\}$/m);
    expect(text.stdout).toMatch(/^catch-up\s+all \(at most 10\)$/m);
  });

  it('updates only the given fields and switches cron ↔ interval', async () => {
    const toCron = await fleetJson<View>(
      fleet,
      ...['schedules', 'update', 'ping', '--cron', '*/5 * * * *', '--group', 'none'],
    );
    expect(toCron).toMatchObject({
      cronExpression: '*/5 * * * *',
      intervalSeconds: null,
      group: null,
      handler: 'noop',
    });
    const toInterval = await fleetJson<View>(
      fleet,
      ...['schedules', 'update', 'ping', '--interval-seconds', '600', '--max-attempts', '2'],
    );
    expect(toInterval).toMatchObject({
      cronExpression: null,
      intervalSeconds: 600,
      maxAttempts: 2,
    });
    const cleared = await fleetJson<View>(
      fleet,
      ...['schedules', 'update', 'nightly', '--ends-at', 'none', '--timeout-ms', 'none'],
    );
    expect(cleared).toMatchObject({ endsAt: null, timeoutMs: null, cronExpression: '30 1 * * *' });
    const text = await fleet('schedules', 'update', 'ping', '--every', '2m');
    expect(text.stdout).toBe('updated ping: every 2 min, handler noop, enabled\n');
  });

  it('disables, enables, pauses with a note and an end, and resumes', async () => {
    expect(await fleetJson<View>(fleet, 'schedules', 'disable', 'ping')).toMatchObject({
      enabled: false,
      state: 'disabled',
    });
    expect(await fleetJson<View>(fleet, 'schedules', 'enable', 'ping')).toMatchObject({
      enabled: true,
      state: 'enabled',
    });
    const paused = await fleet(
      ...['schedules', 'pause', 'ping', '--note', 'deploy freeze', '--until', '2099-01-01'],
    );
    expect(paused.stdout).toBe(
      'paused ping: every 2 min, handler noop, paused until 2099-01-01T00:00:00Z\nnote: deploy freeze\n',
    );
    const view = await fleetJson<View>(fleet, 'schedules', 'show', 'ping');
    expect(view).toMatchObject({
      state: 'paused',
      pauseNote: 'deploy freeze',
      pausedUntil: '2099-01-01T00:00:00.000Z',
    });
    const listed = await fleetJson<{ items: View[] }>(
      fleet,
      ...['schedules', 'list', '--status', 'paused'],
    );
    expect(listed.items.map((s) => s.key)).toEqual(['ping']);
    expect(await fleetJson<View>(fleet, 'schedules', 'resume', 'ping')).toMatchObject({
      state: 'enabled',
      pausedAt: null,
      pauseNote: null,
      pausedUntil: null,
    });
  });

  it('previews a saved schedule and an ad-hoc cadence across a DST change', async () => {
    // Europe/London springs forward on 29 March 2026: 01:30 does not exist, it fires at 02:00 BST.
    const saved = await fleetJson<{ timezone: string; slots: View[] }>(
      fleet,
      ...['schedules', 'preview', 'nightly', '--count', '3', '--after', '2026-03-27T12:00:00Z'],
    );
    expect(saved.timezone).toBe('Europe/London');
    expect(saved.slots).toEqual([
      { at: '2026-03-28T01:30:00.000Z', local: '2026-03-28 01:30:00', offset: '+00:00' },
      {
        at: '2026-03-29T01:00:00.000Z',
        local: '2026-03-29 02:00:00',
        offset: '+01:00',
        dstChange: 'offset changes from +00:00 to +01:00',
      },
      { at: '2026-03-30T00:30:00.000Z', local: '2026-03-30 01:30:00', offset: '+01:00' },
    ]);
    const adHoc = await fleet(
      ...['schedules', 'preview', '--cron', '30 2 * * *', '--timezone', 'America/New_York'],
      ...['--count', '2', '--after', '2026-03-07T12:00:00Z'],
    );
    expect(adHoc.code).toBe(0);
    expect(adHoc.stdout.split('\n').slice(0, 4)).toEqual([
      'next 2 slots, local times in America/New_York',
      expect.stringMatching(/^AT \(UTC\)\s+LOCAL\s+OFFSET\s+NOTE$/),
      '2026-03-08T07:00:00Z  2026-03-08 03:00:00  -04:00  offset changes from -05:00 to -04:00',
      '2026-03-09T06:30:00Z  2026-03-09 02:30:00  -04:00  -',
    ]);
    const every = await fleetJson<{ slots: View[] }>(
      fleet,
      ...['schedules', 'preview', '--every', '45m', '--count', '2', '--after', '2026-01-01'],
    );
    expect(every.slots.map((s) => s.at)).toEqual([
      '2026-01-01T00:45:00.000Z',
      '2026-01-01T01:30:00.000Z',
    ]);
  });

  it('deletes a schedule', async () => {
    const gone = await fleetJson<View>(fleet, 'schedules', 'delete', 'nightly');
    expect(gone.key).toBe('nightly');
    await expectFailure(fleet, ['schedules', 'show', 'nightly'], 1, 'schedule "nightly" not found');
  });
});

describe('fleet reports bad input in one line', () => {
  it.concurrent.each<[string, string[], 1 | 2, RegExp]>([
    ['an unknown ref', ['schedules', 'show', 'nope'], 1, /^fleet: schedule "nope" not found/],
    [
      'an invalid cron expression, naming the field',
      ['schedules', 'create', 'bad', '--handler', 'noop', '--cron', '61 * * * *'],
      1,
      /^fleet: invalid schedule: cronExpression: .*61/,
    ],
    [
      'an unknown handler',
      ['schedules', 'create', 'bad', '--handler', 'nope', '--every', '1m'],
      1,
      /handler: unknown handler "nope"/,
    ],
    [
      'a duplicate key',
      ['schedules', 'create', 'ping', '--handler', 'noop', '--every', '1m'],
      1,
      /already exists/,
    ],
    ['--limit abc', ['schedules', 'list', '--limit', 'abc'], 2, /--limit <n>.*'abc' is invalid/],
    [
      'invalid --payload JSON',
      ['schedules', 'create', 'bad', '--handler', 'noop', '--every', '1m', '--payload', '{bad'],
      2,
      /--payload <json>.*expected a JSON object/,
    ],
    ['an unknown command', ['schedule', 'list'], 2, /^fleet: unknown command 'schedule'/],
    ['an unknown option', ['schedules', 'list', '--colour'], 2, /unknown option '--colour'/],
    ['a bad duration', ['schedules', 'update', 'ping', '--every', 'often'], 2, /--every/],
    ['a bad choice', ['schedules', 'list', '--status', 'sleepy'], 2, /Allowed choices/],
    ['an update without changes', ['schedules', 'update', 'ping'], 2, /nothing to update/],
    ['preview without a cadence', ['schedules', 'preview'], 2, /give a schedule key or id/],
    [
      'a pause ending in the past',
      ['schedules', 'pause', 'ping', '--until', '2001-01-01'],
      1,
      /until: must be in the future/,
    ],
  ])('%s', async (_name, args, code, message) => {
    await expectFailure(fleet, args, code, message);
  });
});
