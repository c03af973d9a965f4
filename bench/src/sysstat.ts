import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU accounting from /proc (Linux; elsewhere every figure is undefined):
 * machine-wide busy share, and CPU spent by the Postgres and Redis server
 * processes, so a result says whether the box was saturated and who used it.
 */
export interface CpuSnapshot {
  machine?: { busy: number; total: number };
  /** pid → [comm group, utime + stime in clock ticks]. */
  procs: Map<string, [string, number]>;
}

export interface CpuUsage {
  /** Share of all cores busy machine-wide, 0–1. */
  machineBusy?: number;
  postgresMs?: number;
  redisMs?: number;
}

const TICK_MS = 10; // USER_HZ is 100 on every Linux Node runs on

function group(comm: string): string | undefined {
  if (comm.startsWith('postgres')) return 'postgres';
  if (comm.startsWith('redis-server')) return 'redis';
  return undefined;
}

function machineTicks(): CpuSnapshot['machine'] {
  const fields = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

export function cpuSnapshot(): CpuSnapshot {
  const procs = new Map<string, [string, number]>();
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const name = group(comm);
        if (!name) continue;
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        procs.set(pid, [name, Number(fields[11]) + Number(fields[12])]);
      } catch {
        // the process ended while we looked
      }
    }
    return { machine: machineTicks(), procs };
  } catch {
    return { procs };
  }
}

/** CPU between two snapshots; a process that started in between counts from zero. */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuUsage {
  if (!a.machine || !b.machine) return {};
  const sums: Record<string, number> = { postgres: 0, redis: 0 };
  for (const [pid, [name, ticks]] of b.procs) {
    sums[name] = (sums[name] ?? 0) + ticks - (a.procs.get(pid)?.[1] ?? 0);
  }
  const total = b.machine.total - a.machine.total;
  return {
    machineBusy: total > 0 ? (b.machine.busy - a.machine.busy) / total : undefined,
    postgresMs: (sums.postgres ?? 0) * TICK_MS,
    redisMs: (sums.redis ?? 0) * TICK_MS,
  };
}

/**
 * Waits (up to `maxWaitMs`) until the machine is quiet — under `threshold` of
 * all cores busy over half a second — so a measured arm does not start inside
 * someone else's burst. Returns the last busy share seen and how long it waited.
 */
export async function settle(
  maxWaitMs = 30_000,
  threshold = 0.25,
): Promise<{ busy: number | undefined; waitedMs: number }> {
  const start = Date.now();
  for (;;) {
    const a = cpuSnapshot();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const busy = cpuBetween(a, cpuSnapshot()).machineBusy;
    const waitedMs = Date.now() - start;
    if (busy === undefined || busy < threshold || waitedMs >= maxWaitMs) return { busy, waitedMs };
  }
}
