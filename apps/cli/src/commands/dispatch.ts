/** `fleet schedules run|backfill|preview`. */
import { Option, type Command } from 'commander';
import type { PreviewInput } from '@cronfleet/service';
import { JSON_HELP, serve, type JsonOption as Json } from '../context.js';
import { duration, instant, int, text } from '../options.js';
import { backfillLines, previewTable, runNowLines } from '../views.js';

interface PreviewOptions extends Json {
  cron?: string;
  timezone?: string;
  every?: number;
  intervalSeconds?: number;
  count: number;
  after?: Date;
}

/** What to preview: a saved schedule, or a cadence given as options (never both). */
function previewInput(ref: string | undefined, opts: PreviewOptions, cmd: Command): PreviewInput {
  const interval = opts.every ?? opts.intervalSeconds;
  const adHoc = opts.cron !== undefined || interval !== undefined;
  if (ref !== undefined) {
    if (adHoc || opts.timezone !== undefined)
      cmd.error('give a schedule or a cadence (--cron, --every), not both');
    return { ref };
  }
  if (opts.cron !== undefined)
    return opts.timezone === undefined
      ? { cron: opts.cron }
      : { cron: opts.cron, timezone: opts.timezone };
  if (opts.timezone !== undefined) cmd.error('--timezone goes with --cron');
  if (interval === undefined)
    cmd.error('give a schedule key or id, or a cadence: --cron <expr> or --every <duration>');
  return { intervalSeconds: interval };
}

export function registerDispatch(schedules: Command): void {
  schedules
    .command('run')
    .description('run now (a manual run); the overlap policy may skip it unless --force')
    .argument('<ref>', 'schedule key or id')
    .option('--force', 'run even if a run is in flight')
    .option('--json', JSON_HELP)
    .action(async (ref: string, opts: Json & { force?: boolean }) => {
      await serve(
        opts,
        (s) => s.runNow(ref, { force: opts.force ?? false }),
        (result) => runNowLines(ref, result),
        { queue: true },
      );
    });

  schedules
    .command('backfill')
    .description(
      'one backfill run per slot in [from, to] that has none yet (repeating adds nothing)',
    )
    .argument('<ref>', 'schedule key or id')
    .requiredOption('--from <iso>', 'first slot to consider', instant)
    .option('--to <iso>', 'last slot to consider, not in the future (default now)', instant)
    .option('--dry-run', 'show the slots without writing runs')
    .option('--limit <n>', 'create at most this many runs (1–10000, default 1000)', int(1, 10_000))
    .option('--json', JSON_HELP)
    .action(
      async (
        ref: string,
        opts: Json & { from: Date; to?: Date; dryRun?: boolean; limit?: number },
      ) => {
        const dryRun = opts.dryRun ?? false;
        const range = { from: opts.from, to: opts.to ?? new Date(), dryRun, limit: opts.limit };
        await serve(
          opts,
          (s) => s.backfill(ref, range),
          (result) => backfillLines(ref, result, dryRun),
          { queue: !dryRun },
        );
      },
    );

  schedules
    .command('preview')
    .description('the next slots of a saved schedule, or of a cadence you give, with DST changes')
    .argument('[ref]', 'schedule key or id')
    .addOption(
      new Option('--cron <expr>', 'a cron expression')
        .argParser(text)
        .conflicts(['every', 'intervalSeconds']),
    )
    .option('--timezone <zone>', 'IANA zone for --cron (default UTC)')
    .addOption(
      new Option('--every <duration>', 'an interval: 30s, 5m, 2h')
        .argParser(duration)
        .conflicts('intervalSeconds'),
    )
    .option('--interval-seconds <n>', 'an interval in whole seconds', int(1))
    .option('--count <n>', 'how many slots (1–100)', int(1, 100), 5)
    .option('--after <iso>', 'slots after this instant (default now)', instant)
    .option('--json', JSON_HELP)
    .action(async (ref: string | undefined, opts: PreviewOptions, cmd: Command) => {
      const input = previewInput(ref, opts, cmd);
      await serve(opts, (s) => s.preview(input, opts.count, opts.after), previewTable);
    });
}
