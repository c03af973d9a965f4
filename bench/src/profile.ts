import { performance } from 'node:perf_hooks';
import pg from 'pg';

/**
 * Where the time goes: every Postgres statement the process sends (through
 * pg.Client or pg.Pool, so drizzle's too) is timed from send to reply and
 * grouped by what it is. Costs one performance.now() per statement.
 */
export interface PhaseStat {
  phase: string;
  count: number;
  ms: number;
}

const stats = new Map<string, PhaseStat>();

const RULES: [RegExp, string][] = [
  [/^\s*begin/i, 'BEGIN'],
  [/^\s*commit/i, 'COMMIT'],
  [/^\s*rollback/i, 'ROLLBACK'],
  [/set next_run_at = next_run_at \+/i, 'pg: baseline UPDATE schedules … SKIP LOCKED'],
  [/with advanced as/i, 'pg: claim advance + audit (CTE)'],
  [/next_run_at <=[\s\S]*for update skip locked/i, 'pg: claim SELECT due FOR UPDATE'],
  [/next_run_at is null[\s\S]*for update skip locked/i, 'pg: init SELECT unset next_run_at'],
  [/set enqueued_at/i, 'pg: markRunsQueued'],
  [/f_input as \(/i, 'pg: ledger write flush (marks + outcomes + schedules)'],
  [/^select id from schedule_runs where id = any/i, 'pg: start gate (read)'],
  [/from schedule_runs[\s\S]*group by schedule_id/i, 'pg: claim in-flight count (overlap)'],
  [/paused_until <=/i, 'pg: resumeExpiredPauses'],
  [/insert into schedule_runs/i, 'pg: INSERT schedule_runs'],
];

function classify(arg: unknown): string {
  const text =
    typeof arg === 'string'
      ? arg
      : arg && typeof arg === 'object' && 'text' in arg && typeof arg.text === 'string'
        ? arg.text
        : '';
  for (const [pattern, label] of RULES) if (pattern.test(text)) return label;
  return `pg: ${text.replace(/\s+/g, ' ').trim().slice(0, 40)}`;
}

export function record(phase: string, ms: number): void {
  const stat = stats.get(phase) ?? { phase, count: 0, ms: 0 };
  stat.count += 1;
  stat.ms += ms;
  stats.set(phase, stat);
}

/** Times a promise-returning step under `phase`. */
export async function timed<T>(phase: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    record(phase, performance.now() - t0);
  }
}

type AnyQuery = (this: unknown, ...args: unknown[]) => unknown;
let installed = false;

function patch(proto: { query: AnyQuery }) {
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]): unknown {
    const result = original.apply(this, args);
    // Only the promise form: pg.Pool calls Client.query with a callback, so nothing is counted twice.
    if (result instanceof Promise) {
      const label = classify(args[0]);
      const t0 = performance.now();
      const done = () => record(label, performance.now() - t0);
      result.then(done, done);
    }
    return result;
  };
}

export function installQueryProfiler(): void {
  if (installed) return;
  installed = true;
  patch(pg.Client.prototype);
  patch(pg.Pool.prototype);
}

export function resetProfile(): void {
  stats.clear();
}

export function takeProfile(): PhaseStat[] {
  const out = [...stats.values()].sort((a, b) => b.ms - a.ms);
  stats.clear();
  return out;
}
