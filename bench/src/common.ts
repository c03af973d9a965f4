import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createLogger, type Logger } from '@cronfleet/core';
import { testServers } from '@cronfleet/testing';
import type { PhaseStat } from './profile.js';
import { cpuBetween, cpuSnapshot, settle, type CpuUsage } from './sysstat.js';

export const logger: Logger = createLogger({ name: 'bench', level: 'warn' });

/** BENCH_SCALE=0.1 makes every count ten times smaller; default 1. */
export function benchScale(raw = process.env.BENCH_SCALE): number {
  if (raw === undefined || raw.trim() === '') return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 10) {
    throw new Error(`BENCH_SCALE must be a number in (0, 10], got "${raw}"`);
  }
  return scale;
}

export interface ArmResult extends CpuUsage {
  /** Slots or jobs processed in the timed section. */
  count: number;
  ms: number;
  perSecond: number;
  /** CPU this Node process spent in the timed section (user + system). */
  cpuMs: number;
  phases: PhaseStat[];
  notes: string[];
}

/** Wall time, this process's CPU, and the servers' and machine's CPU between stopwatch() and stop(). */
export function stopwatch() {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const snap0 = cpuSnapshot();
  return {
    stop(at = performance.now()) {
      const cpu = process.cpuUsage(cpu0);
      return {
        ms: at - t0,
        cpuMs: (cpu.user + cpu.system) / 1_000,
        ...cpuBetween(snap0, cpuSnapshot()),
      };
    },
  };
}

export function fail(message: string): never {
  throw new Error(`BENCH CORRECTNESS FAILURE: ${message}`);
}

export function expectEqual(what: string, actual: number, expected: number): void {
  if (actual !== expected) fail(`${what}: expected ${expected}, got ${actual}`);
}

export const fmt = (n: number, digits = 2): string => n.toFixed(digits);

/**
 * Before each measured arm: a CHECKPOINT, so WAL written for an earlier arm is
 * not flushed on a later one's time, then a bounded wait for a quiet machine,
 * so the arm does not start inside another process's burst of work.
 */
export async function prepareMeasurement(): Promise<void> {
  const { postgresAdminUrl } = await testServers();
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  await client.connect();
  try {
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
  const { busy, waitedMs } = await settle();
  if (waitedMs >= 1_000 && busy !== undefined) {
    console.log(
      `  (waited ${fmt(waitedMs / 1000, 1)} s for other load to pass; machine ${fmt(100 * busy, 0)}% busy now)`,
    );
  }
}

export async function count(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

export interface SeedSchedulesOptions {
  count: number;
  /** The instant everything is due at; cron rows sit on the minute at or before it. */
  dueAt: Date;
  keyPrefix?: string;
  /** Default: the column default (skip). */
  overlapPolicy?: 'skip' | 'allow' | 'buffer_one' | 'cancel_previous';
}

/**
 * `count` enabled `noop` schedules, all due at `dueAt`: even ones cron
 * `* * * * *` (next_run_at on the minute grid at or before dueAt), odd ones
 * every 60 s (next_run_at 1–59 s before dueAt). Advancing any of them by a
 * minute puts it after dueAt, so each fires exactly one slot.
 */
export async function seedSchedules(pool: pg.Pool, opts: SeedSchedulesOptions): Promise<void> {
  const minute = new Date(Math.floor(opts.dueAt.getTime() / 60_000) * 60_000);
  await pool.query(
    `INSERT INTO schedules (key, handler, cron_expression, interval_seconds, timezone, payload,
                            next_run_at, max_attempts, backoff_ms, overlap_policy, created_at, updated_at)
     SELECT $4 || i, 'noop',
            CASE WHEN i % 2 = 0 THEN '* * * * *' END,
            CASE WHEN i % 2 = 1 THEN 60 END,
            'UTC', '{}'::jsonb,
            CASE WHEN i % 2 = 0 THEN $1::timestamptz
                 ELSE $2::timestamptz - make_interval(secs => (i % 59) + 1) END,
            3, 1000, COALESCE($5, 'skip'), $2, $2
     FROM generate_series(1, $3::int) AS i`,
    [minute, opts.dueAt, opts.count, opts.keyPrefix ?? 'bench-', opts.overlapPolicy ?? null],
  );
  // A production table has statistics; a freshly filled one would be planned blind.
  await pool.query('VACUUM ANALYZE schedules');
}

/** Resolves when `done()` reaches `target`; rejects if nothing progresses for `stallMs` (a hang, not a speed limit). */
export async function waitForCount(
  what: string,
  done: () => number,
  target: number,
  stallMs = 120_000,
): Promise<void> {
  let last = -1;
  let lastChange = performance.now();
  for (;;) {
    const now = done();
    if (now >= target) return;
    if (now !== last) {
      last = now;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > stallMs) {
      fail(`${what}: stuck at ${now}/${target} for ${stallMs / 1000} s`);
    }
    await sleep(20);
  }
}

const perItem = (ms: number, n: number) => `${fmt((ms * 1000) / n, 0)} µs`;

export function printArm(title: string, unit: string, arm: ArmResult, detail = true): void {
  console.log(
    `  ${title}: ${arm.count} ${unit} in ${fmt(arm.ms / 1000)} s = ${fmt(arm.perSecond)} ${unit}/s`,
  );
  if (!detail) return;
  const cpu = [
    `node ${fmt(arm.cpuMs / 1000)} s (${perItem(arm.cpuMs, arm.count)}/${unit.replace(/s$/, '')})`,
  ];
  if (arm.postgresMs !== undefined)
    cpu.push(`postgres ${fmt(arm.postgresMs / 1000)} s (${perItem(arm.postgresMs, arm.count)})`);
  if (arm.redisMs !== undefined)
    cpu.push(`redis ${fmt(arm.redisMs / 1000)} s (${perItem(arm.redisMs, arm.count)})`);
  let machine = '';
  if (arm.machineBusy !== undefined) {
    // What the machine spent beyond this process and the two servers: other load that skews the numbers.
    const other =
      arm.machineBusy * arm.ms * cpus().length -
      arm.cpuMs -
      (arm.postgresMs ?? 0) -
      (arm.redisMs ?? 0);
    machine = `, everything else ${fmt(Math.max(0, other) / 1000)} s; machine ${fmt(100 * arm.machineBusy, 0)}% busy over ${cpus().length} cores`;
  }
  console.log(`    CPU: ${cpu.join(', ')}${machine}`);
  for (const note of arm.notes) console.log(`    ${note}`);
  if (arm.phases.length > 0) {
    console.log('    time by phase (sum over calls; async phases overlap with each other):');
    for (const p of arm.phases) {
      console.log(
        `      ${p.phase.padEnd(46)} ${String(p.count).padStart(6)} calls ${fmt(p.ms, 0).padStart(8)} ms` +
          `  ${fmt(p.ms / p.count).padStart(7)} ms/call  ${fmt((100 * p.ms) / arm.ms, 1).padStart(5)}% of wall`,
      );
    }
  }
}
