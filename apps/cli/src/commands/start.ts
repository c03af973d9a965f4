import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Argument, type Command } from 'commander';
import { childEnvironment } from '@cronfleet/core';
import { migrateDatabase } from '@cronfleet/db';
import { createContext, withDb } from '../context.js';
import { int } from '../options.js';
import { syncFile } from './sync.js';

export type Component = 'scheduler' | 'worker' | 'dashboard' | 'all';

const COLORS = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m', '\x1b[31m'];
const RESET = '\x1b[0m';

const entry = (app: string) =>
  fileURLToPath(new URL(`../../../${app}/dist/main.js`, import.meta.url));

interface Spec {
  label: string;
  app: string;
  env: Record<string, string>;
}

export function plan(component: Component, workers: number): Spec[] {
  const specs: Spec[] = [];
  if (component === 'scheduler' || component === 'all')
    specs.push({ label: 'scheduler', app: 'scheduler', env: {} });
  if (component === 'dashboard' || component === 'all')
    specs.push({ label: 'dashboard', app: 'dashboard', env: {} });
  if (component === 'worker' || component === 'all') {
    for (let i = 1; i <= workers; i++)
      specs.push({ label: `worker-${i}`, app: 'worker', env: { WORKER_ID: `worker-${i}` } });
  }
  return specs;
}

/**
 * Runs the fleet's processes in the foreground with prefixed, readable logs.
 * Ctrl-C (or SIGTERM) is passed to every child, which stops cleanly; the
 * command exits once all have, non-zero if any failed.
 */
export async function startProcesses(specs: Spec[], opts: { pretty: boolean }): Promise<number> {
  const width = Math.max(...specs.map((s) => s.label.length));
  const children: ChildProcess[] = specs.map((spec, i) => {
    const child = spawn(process.execPath, [entry(spec.app)], {
      env: childEnvironment({ ...(opts.pretty ? { LOG_FORMAT: 'pretty' } : {}), ...spec.env }),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a terminal's Ctrl-C reaches only us, and we pass one SIGTERM on.
      detached: true,
    });
    const prefix = `${COLORS[i % COLORS.length]}${spec.label.padEnd(width)}${RESET} │ `;
    for (const stream of [child.stdout, child.stderr]) {
      if (stream)
        createInterface({ input: stream }).on('line', (line) =>
          process.stdout.write(prefix + line + '\n'),
        );
    }
    return child;
  });
  let stopping = false;
  const stopAll = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping ${children.length} processes…\n`);
    for (const child of children) child.kill('SIGTERM');
  };
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  // Should this process die some other way, take the children with it.
  process.on('exit', () =>
    children.forEach((child) => child.exitCode === null && child.kill('SIGKILL')),
  );
  const codes = await Promise.all(
    children.map(
      (child, i) =>
        new Promise<number>((resolve) => {
          child.on('exit', (code, signal) => {
            process.stdout.write(`${specs[i]!.label} exited (${signal ?? `code ${code}`})\n`);
            if (!stopping) stopAll('SIGTERM');
            resolve(code ?? 1);
          });
        }),
    ),
  );
  return codes.some((c) => c !== 0) ? 1 : 0;
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'run fleet processes in the foreground with prefixed logs (Ctrl-C stops them cleanly)',
    )
    .addArgument(
      new Argument('[component]', 'which processes')
        .choices(['scheduler', 'worker', 'dashboard', 'all'])
        .default('all'),
    )
    .option('--workers <n>', 'worker processes to run', int(1), 2)
    .option('--sync <file>', 'migrate and sync this schedules file first')
    .option('--json-logs', 'keep the processes’ JSON log lines instead of pretty ones')
    .action(
      async (
        component: Component,
        options: { workers: number; sync?: string; jsonLogs?: boolean },
      ) => {
        const ctx = createContext();
        if (options.sync) {
          const file = options.sync;
          await migrateDatabase({ url: ctx.config.DATABASE_URL, logger: ctx.logger });
          const { plan, skipped } = await withDb(ctx, (handle) => syncFile(ctx, handle, file));
          console.log(
            `synced ${file}: ${plan.create.length} created, ${plan.update.length} updated, ${plan.unchanged.length} unchanged`,
          );
          for (const s of skipped) console.log(`skipped ${s.key}: ${s.reason}`);
        }
        process.exitCode = await startProcesses(plan(component, options.workers), {
          pretty: !options.jsonLogs,
        });
      },
    );
}
