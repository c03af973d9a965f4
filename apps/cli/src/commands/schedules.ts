/** `fleet schedules list|show|create|update|delete|enable|disable|pause|resume` (+ run, backfill, preview). */
import { Option, type Command } from 'commander';
import type { ScheduleInput, ScheduleStatusFilter, ScheduleView } from '@cronfleet/service';
import { JSON_HELP, serve, type JsonOption as Json } from '../context.js';
import { instant, int, text } from '../options.js';
import { scheduleDetails, scheduleSummary, scheduleTable } from '../views.js';
import { addDefinitionOptions, definitionInput, type DefinitionOptions } from './definition.js';
import { registerDispatch } from './dispatch.js';

const REF = 'schedule key or id';

interface ListOptions extends Json {
  group?: string;
  status?: ScheduleStatusFilter;
  limit?: number;
  offset?: number;
}

export function registerSchedules(program: Command): void {
  const schedules = program
    .command('schedules')
    .description('list, inspect, change and run schedules');

  schedules
    .command('list')
    .description('schedules, by key')
    .option('--group <name>', 'only this group')
    .addOption(
      new Option('--status <status>', 'only schedules in this state').choices([
        'enabled',
        'disabled',
        'paused',
        'failing',
      ]),
    )
    .option('--limit <n>', 'at most this many (1–500, default 50)', int(1, 500))
    .option('--offset <n>', 'skip this many', int(0))
    .option('--json', JSON_HELP)
    .action(async (opts: ListOptions) => {
      const { json: _json, ...filter } = opts;
      await serve(
        opts,
        (s) => s.list(filter),
        (result) => scheduleTable(result, opts.offset),
      );
    });

  schedules
    .command('show')
    .description('one schedule: definition, policies and state')
    .argument('<ref>', REF)
    .option('--json', JSON_HELP)
    .action(async (ref: string, opts: Json) => {
      await serve(opts, (s) => s.get(ref), scheduleDetails);
    });

  addDefinitionOptions(
    schedules
      .command('create')
      .description('create a schedule; give one of --every, --interval-seconds or --cron')
      .argument('<key>', 'unique name: letters, digits, ".", "_" or "-"'),
    'create',
  )
    .option('--json', JSON_HELP)
    .action(async (key: string, opts: Json & DefinitionOptions) => {
      // --handler is a mandatory option, so the input is complete.
      const input = { ...definitionInput(opts), key } as ScheduleInput;
      await serve(
        opts,
        (s) => s.create(input),
        (view) => scheduleSummary('created', view),
      );
    });

  addDefinitionOptions(
    schedules
      .command('update')
      .description('change the given fields; a new cadence replaces the old (cron ↔ interval)')
      .argument('<ref>', REF),
    'update',
  )
    .option('--json', JSON_HELP)
    .action(async (ref: string, opts: Json & DefinitionOptions, cmd: Command) => {
      const patch = definitionInput(opts);
      if (Object.keys(patch).length === 0) cmd.error('nothing to update: give at least one option');
      await serve(
        opts,
        (s) => s.update(ref, patch),
        (view) => scheduleSummary('updated', view),
      );
    });

  schedules
    .command('delete')
    .description('delete a schedule and its run history')
    .argument('<ref>', REF)
    .option('--json', JSON_HELP)
    .action(async (ref: string, opts: Json) => {
      await serve(
        opts,
        (s) => s.remove(ref),
        (gone) => [`deleted ${gone.key} (${gone.id})`],
      );
    });

  const toggles: [string, string, (view: ScheduleView) => string[]][] = [
    [
      'enable',
      'fire again from now on (missed slots are not caught up)',
      (v) => scheduleSummary('enabled', v),
    ],
    ['disable', 'stop firing until enabled', (v) => scheduleSummary('disabled', v)],
  ];
  for (const [name, description, human] of toggles) {
    schedules
      .command(name)
      .description(description)
      .argument('<ref>', REF)
      .option('--json', JSON_HELP)
      .action(async (ref: string, opts: Json) => {
        await serve(opts, (s) => s.setEnabled(ref, name === 'enable'), human);
      });
  }

  schedules
    .command('pause')
    .description('fire nothing until resumed (or until --until)')
    .argument('<ref>', REF)
    .option('--note <text>', 'why, shown with the schedule', text)
    .option('--until <iso>', 'resume by itself then', instant)
    .option('--json', JSON_HELP)
    .action(async (ref: string, opts: Json & { note?: string; until?: Date }) => {
      const { json: _json, ...pause } = opts;
      await serve(
        opts,
        (s) => s.pause(ref, pause),
        (view) => [
          ...scheduleSummary('paused', view),
          ...(view.pauseNote ? [`note: ${view.pauseNote}`] : []),
        ],
      );
    });

  schedules
    .command('resume')
    .description('end a pause; the catch-up policy decides what the pause skipped')
    .argument('<ref>', REF)
    .option('--json', JSON_HELP)
    .action(async (ref: string, opts: Json) => {
      await serve(
        opts,
        (s) => s.resume(ref),
        (view) => scheduleSummary('resumed', view),
      );
    });

  registerDispatch(schedules);
}
