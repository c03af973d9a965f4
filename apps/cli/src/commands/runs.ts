/** `fleet runs list|show`: the history of what ran. */
import { Option, type Command } from 'commander';
import { RUN_STATUSES, RUN_TRIGGERS, type RunStatus, type RunTrigger } from '@cronfleet/db';
import { JSON_HELP, serve, type JsonOption } from '../context.js';
import { instant, int, text } from '../options.js';
import { runDetails, runTable } from '../views.js';

interface ListOptions extends JsonOption {
  schedule?: string;
  status?: RunStatus;
  trigger?: RunTrigger;
  from?: Date;
  to?: Date;
  limit?: number;
  offset?: number;
}

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('the history of runs and their attempts');

  runs
    .command('list')
    .description('runs, newest slot first')
    .option('--schedule <ref>', 'only runs of this schedule (key or id)', text)
    .addOption(new Option('--status <status>', 'only runs in this status').choices(RUN_STATUSES))
    .addOption(new Option('--trigger <trigger>', 'only runs fired this way').choices(RUN_TRIGGERS))
    .option('--from <iso>', 'slots at or after', instant)
    .option('--to <iso>', 'slots at or before', instant)
    .option('--limit <n>', 'at most this many (1–500, default 50)', int(1, 500))
    .option('--offset <n>', 'skip this many', int(0))
    .option('--json', JSON_HELP)
    .action(async (opts: ListOptions) => {
      const { json: _json, schedule, ...filter } = opts;
      await serve(
        opts,
        (s) => s.listRuns({ ...filter, ref: schedule }),
        (result) => runTable(result, opts.offset),
      );
    });

  runs
    .command('show')
    .description('one run with its attempts')
    .argument('<id>', 'run id')
    .option('--json', JSON_HELP)
    .action(async (id: string, opts: JsonOption) => {
      await serve(opts, (s) => s.getRun(id), runDetails);
    });
}
