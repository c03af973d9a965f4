import { performance } from 'node:perf_hooks';
import type { Job, Worker } from 'bullmq';
import type { HandlerDefinition } from '@cronfleet/handlers';
import { fmt } from './common.js';

/**
 * Per-job latency inside the worker: from BullMQ's 'active' event to
 * 'completed', split at the moment the handler is called when the handler is
 * wrapped. With a fixed concurrency, throughput ≈ concurrency / this latency,
 * so the split shows which step holds the slots.
 */
export function createLatencyTracker() {
  const activeAt = new Map<string, number>();
  const handlerAt = new Map<string, number>();
  const totals: number[] = [];
  let beforeHandler = 0;
  let afterHandler = 0;
  let split = 0;

  return {
    /** Same handlers, noting when each run reaches its handler (one Map.set per call). */
    wrap(defs: HandlerDefinition[]): HandlerDefinition[] {
      return defs.map((def) => ({
        ...def,
        run: (payload: unknown, ctx) => {
          handlerAt.set(ctx.runId, performance.now());
          return def.run(payload, ctx);
        },
      }));
    },
    attach(worker: Worker) {
      worker.on('active', (job: Job) => {
        if (job.id) activeAt.set(job.id, performance.now());
      });
      worker.on('completed', (job: Job) => {
        const now = performance.now();
        const id = job.id ?? '';
        const a = activeAt.get(id);
        const h = handlerAt.get(id);
        activeAt.delete(id);
        handlerAt.delete(id);
        if (a === undefined) return;
        totals.push(now - a);
        if (h !== undefined) {
          split += 1;
          beforeHandler += h - a;
          afterHandler += now - h;
        }
      });
    },
    notes(): string[] {
      if (totals.length === 0) return [];
      const sorted = [...totals].sort((x, y) => x - y);
      const pct = (p: number) =>
        sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
      const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
      const lines = [
        `per-job active→completed: mean ${fmt(mean)} ms, p50 ${fmt(pct(0.5))} ms, p99 ${fmt(pct(0.99))} ms`,
      ];
      if (split > 0) {
        lines.push(
          `  of which active→handler called (start gate) ${fmt(beforeHandler / split)} ms, ` +
            `handler called→completed (finish write + BullMQ complete) ${fmt(afterHandler / split)} ms`,
        );
      }
      return lines;
    },
  };
}
