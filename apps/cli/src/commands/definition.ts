/** The schedule definition as options, shared by `schedules create` and `schedules update`. */
import { Option, type Command } from 'commander';
import { CATCHUP_POLICIES, OVERLAP_POLICIES } from '@cronfleet/db';
import type { SchedulePatch } from '@cronfleet/service';
import {
  cleared,
  duration,
  instant,
  int,
  jsonObject,
  orNone,
  text,
  type NONE,
} from '../options.js';

const INT32_MAX = 2_147_483_647;

/** What commander hands the action for these options (camelCase of the flags). */
export interface DefinitionOptions {
  handler?: string;
  every?: number;
  intervalSeconds?: number;
  cron?: string;
  timezone?: string;
  payload?: Record<string, unknown>;
  name?: string | typeof NONE;
  description?: string | typeof NONE;
  group?: string | typeof NONE;
  maxAttempts?: number;
  backoffMs?: number;
  timeoutMs?: number | typeof NONE;
  catchup?: (typeof CATCHUP_POLICIES)[number];
  maxCatchup?: number;
  overlap?: (typeof OVERLAP_POLICIES)[number];
  startsAt?: Date | typeof NONE;
  endsAt?: Date | typeof NONE;
  maxRuns?: number | typeof NONE;
  maxConsecutiveFailures?: number | typeof NONE;
  jitterSeconds?: number;
  disabled?: boolean;
}

/**
 * Adds the definition options. On update, `none` clears an optional field
 * (`--ends-at none`), and only the options given change anything.
 */
export function addDefinitionOptions(cmd: Command, mode: 'create' | 'update'): Command {
  const clearable = mode === 'update' ? ' ("none" clears it)' : '';
  const cadence = ['every', 'intervalSeconds', 'cron'];
  const others = (name: string) => cadence.filter((c) => c !== name);
  const options = [
    mode === 'create'
      ? new Option(
          '--handler <name>',
          'registered handler, e.g. noop (required)',
        ).makeOptionMandatory()
      : new Option('--handler <name>', 'registered handler'),
    new Option('--every <duration>', 'interval: 30s, 5m, 2h, 1d, 1h30m')
      .argParser(duration)
      .conflicts(others('every')),
    new Option('--interval-seconds <n>', 'interval in whole seconds')
      .argParser(int(1, INT32_MAX))
      .conflicts(others('intervalSeconds')),
    new Option('--cron <expr>', 'cron expression, 5 fields (or 6 with seconds)')
      .argParser(text)
      .conflicts(others('cron')),
    new Option('--timezone <zone>', 'IANA zone the cron fields are read in (default UTC)'),
    new Option('--payload <json>', 'JSON object given to the handler').argParser(jsonObject),
    new Option('--name <text>', `display name${clearable}`).argParser(orNone(text)),
    new Option('--description <text>', `description${clearable}`).argParser(orNone(text)),
    new Option('--group <name>', `group${clearable}`).argParser(orNone(text)),
    new Option('--max-attempts <n>', 'attempts per run, 1 = no retry (default 3)').argParser(
      int(1, 100),
    ),
    new Option(
      '--backoff-ms <ms>',
      'first retry delay, doubles each retry (default 1000)',
    ).argParser(int(0, INT32_MAX)),
    new Option('--timeout-ms <ms>', `per-attempt timeout${clearable}`).argParser(
      orNone(int(1, INT32_MAX)),
    ),
    new Option('--catchup <policy>', 'missed slots (default latest)').choices(CATCHUP_POLICIES),
    new Option('--max-catchup <n>', 'cap for --catchup all (default 100)').argParser(
      int(1, 10_000),
    ),
    new Option('--overlap <policy>', 'a slot while a run is in flight (default skip)').choices(
      OVERLAP_POLICIES,
    ),
    new Option('--starts-at <iso>', `no slot before${clearable}`).argParser(orNone(instant)),
    new Option('--ends-at <iso>', `no slot after${clearable}`).argParser(orNone(instant)),
    new Option('--max-runs <n>', `disable after this many runs${clearable}`).argParser(
      orNone(int(1, INT32_MAX)),
    ),
    new Option(
      '--max-consecutive-failures <n>',
      `pause after this many failures in a row${clearable}`,
    ).argParser(orNone(int(1, INT32_MAX))),
    new Option('--jitter-seconds <n>', 'random delay 0…N s per run (default 0)').argParser(
      int(0, 86_400),
    ),
    new Option('--disabled', mode === 'create' ? 'create it disabled' : 'disable it'),
  ];
  for (const option of options) cmd.addOption(option);
  return cmd;
}

/** The given options as service input fields; options not given are left out. */
export function definitionInput(opts: DefinitionOptions): SchedulePatch {
  const input: SchedulePatch = {
    handler: opts.handler,
    intervalSeconds: opts.every ?? opts.intervalSeconds,
    cronExpression: opts.cron,
    timezone: opts.timezone,
    payload: opts.payload,
    name: cleared(opts.name),
    description: cleared(opts.description),
    group: cleared(opts.group),
    maxAttempts: opts.maxAttempts,
    backoffMs: opts.backoffMs,
    timeoutMs: cleared(opts.timeoutMs),
    catchupPolicy: opts.catchup,
    maxCatchup: opts.maxCatchup,
    overlapPolicy: opts.overlap,
    startsAt: cleared(opts.startsAt),
    endsAt: cleared(opts.endsAt),
    maxRuns: cleared(opts.maxRuns),
    maxConsecutiveFailures: cleared(opts.maxConsecutiveFailures),
    jitterSeconds: opts.jitterSeconds,
    enabled: opts.disabled ? false : undefined,
  };
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}
