#!/usr/bin/env node
/**
 * cronfleet benchmark: dispatch (claim → audit → enqueue) and worker
 * throughput, each against a bare pg/BullMQ baseline in the same process on
 * the local Postgres and Redis. Human-readable lines first; the last line is
 * one JSON object. It reports; it never fails on speed, only on wrong results.
 * BENCH_SCALE (default 1) scales the counts; BENCH_REPEAT (default 3) sets the measured pairs;
 * BENCH_ONLY=dispatch or BENCH_ONLY=worker runs one benchmark (the other's JSON fields are null).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { benchScale, fmt, printArm, type ArmResult } from './common.js';
import { DISPATCH_BATCH_SIZE, dispatchBaseline, dispatchOurs } from './dispatch.js';
import { installQueryProfiler } from './profile.js';
import { cpuBetween, cpuSnapshot } from './sysstat.js';
import { RUNS_PER_SCHEDULE, workerBaseline, workerOurs } from './worker.js';

const DISPATCH_SCHEDULES = 20_000;
const WORKER_JOBS = 50_000;
const WORKER_CONCURRENCY = 50;
/**
 * Jobs (and schedules) each arm runs unmeasured first, so that both are
 * measured running optimized code. V8 optimizes a function after enough
 * calls, and the ledger's batch functions run once per 20–60 jobs. With a
 * 500-job warm-up, ours' first measured run in a process was 5–15% slower
 * than its next ones.
 */
const WARMUP = 5_000;
const DEFAULT_REPEAT = 3;

type Arm = (n: number, knob: number, measured: boolean) => Promise<ArmResult>;

const round = (n: number) => Math.round(n * 100) / 100;
/** A rounded figure from a benchmark that ran, or null for one BENCH_ONLY skipped. */
const opt = <T>(ran: T | undefined, pick: (r: T) => number) =>
  ran === undefined ? null : round(pick(ran));

const median = (runs: ArmResult[]): ArmResult => {
  const sorted = [...runs].sort((a, b) => a.perSecond - b.perSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

/**
 * Warms each arm once with a small run, then measures `repeat` pairs, the
 * two arms one after the other (order alternating between pairs, so neither
 * arm always runs on the box the other just warmed). Reports each arm's
 * median run and ratio = median ours / median baseline.
 */
async function pair(
  title: string,
  n: number,
  knob: number,
  repeat: number,
  baseline: Arm,
  ours: Arm,
) {
  const warm = Math.min(WARMUP, n);
  console.log(`${title}: warming up both arms with ${warm} …`);
  await baseline(warm, knob, false);
  await ours(warm, knob, false);
  const bases: ArmResult[] = [];
  const mine: ArmResult[] = [];
  for (let i = 0; i < repeat; i++) {
    const order = i % 2 === 0 ? (['baseline', 'ours'] as const) : (['ours', 'baseline'] as const);
    for (const arm of order) {
      const result = arm === 'baseline' ? await baseline(n, knob, true) : await ours(n, knob, true);
      (arm === 'baseline' ? bases : mine).push(result);
      console.log(`${title} run ${i + 1}/${repeat} ${arm.padEnd(8)}: ${fmt(result.perSecond)}/s`);
    }
  }
  const base = median(bases);
  const ourMedian = median(mine);
  return { base, mine: ourMedian, ratio: ourMedian.perSecond / base.perSecond, bases, ours: mine };
}

/** Machine-wide CPU over one second before anything starts: is the box quiet? */
async function busyBefore(): Promise<number | undefined> {
  const a = cpuSnapshot();
  await sleep(1_000);
  return cpuBetween(a, cpuSnapshot()).machineBusy;
}

function repeats(raw = process.env.BENCH_REPEAT): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_REPEAT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 20)
    throw new Error(`BENCH_REPEAT must be an integer 1–20, got "${raw}"`);
  return n;
}

type Which = 'dispatch' | 'worker';

function only(raw = process.env.BENCH_ONLY): Which | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (raw === 'dispatch' || raw === 'worker') return raw;
  throw new Error(`BENCH_ONLY must be "dispatch" or "worker", got "${raw}"`);
}

async function main() {
  installQueryProfiler();
  const scale = benchScale();
  const schedules = Math.max(1, Math.round(DISPATCH_SCHEDULES * scale));
  const jobs = Math.max(1, Math.round(WORKER_JOBS * scale));
  const repeat = repeats();
  const which = only();
  const runs = (name: Which) => which === undefined || which === name;
  console.log(
    `cronfleet bench (scale ${scale}, ${repeat} measured pair(s) per benchmark, medians reported): ` +
      `dispatch ${schedules} due schedules, worker ${jobs} noop jobs`,
  );

  const idle = await busyBefore();
  if (idle !== undefined) {
    console.log(
      `machine ${fmt(100 * idle, 0)}% busy in the second before the run${idle > 0.15 ? ' — other load will skew these numbers' : ''}`,
    );
  }

  const dispatch = runs('dispatch')
    ? await pair('dispatch', schedules, DISPATCH_BATCH_SIZE, repeat, dispatchBaseline, dispatchOurs)
    : undefined;
  const worker = runs('worker')
    ? await pair('worker', jobs, WORKER_CONCURRENCY, repeat, workerBaseline, workerOurs)
    : undefined;

  if (dispatch) {
    console.log('');
    console.log(
      `dispatch — ${schedules} due schedules (half interval 60 s, half cron * * * * *), batch ${DISPATCH_BATCH_SIZE}:`,
    );
    printArm('baseline (pg UPDATE/INSERT + addBulk), median run', 'slots', dispatch.base);
    printArm('ours (createScheduler().tick()), median run', 'slots', dispatch.mine);
    console.log(`  dispatch ratio ours/baseline: ${fmt(dispatch.ratio)}`);
  }
  if (worker) {
    console.log('');
    console.log(`worker — ${jobs} noop jobs, concurrency ${WORKER_CONCURRENCY}:`);
    printArm('baseline (raw BullMQ Worker, no-op), median run', 'jobs', worker.base);
    printArm('ours (createFleetWorker), median run', 'jobs', worker.mine);
    console.log(`  worker ratio ours/baseline: ${fmt(worker.ratio)}`);
  }

  console.log(
    JSON.stringify({
      scale,
      dispatch_ratio: opt(dispatch, (d) => d.ratio),
      dispatch_slots_per_s: opt(dispatch, (d) => d.mine.perSecond),
      dispatch_baseline_slots_per_s: opt(dispatch, (d) => d.base.perSecond),
      dispatch_ms: opt(dispatch, (d) => d.mine.ms),
      dispatch_baseline_ms: opt(dispatch, (d) => d.base.ms),
      dispatch_schedules: schedules,
      dispatch_batch_size: DISPATCH_BATCH_SIZE,
      worker_ratio: opt(worker, (d) => d.ratio),
      worker_jobs_per_s: opt(worker, (d) => d.mine.perSecond),
      worker_baseline_jobs_per_s: opt(worker, (d) => d.base.perSecond),
      worker_ms: opt(worker, (d) => d.mine.ms),
      worker_baseline_ms: opt(worker, (d) => d.base.ms),
      worker_jobs: jobs,
      worker_concurrency: WORKER_CONCURRENCY,
      worker_runs_per_schedule: RUNS_PER_SCHEDULE,
      warmup: WARMUP,
      machine_busy_before_pct: idle === undefined ? null : round(100 * idle),
      repeats: repeat,
      dispatch_runs_slots_per_s: dispatch?.ours.map((r) => round(r.perSecond)) ?? null,
      dispatch_baseline_runs_slots_per_s: dispatch?.bases.map((r) => round(r.perSecond)) ?? null,
      worker_runs_jobs_per_s: worker?.ours.map((r) => round(r.perSecond)) ?? null,
      worker_baseline_runs_jobs_per_s: worker?.bases.map((r) => round(r.perSecond)) ?? null,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
