/** Schedules as code: a YAML or JSON file of schedule entries. */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { CronfleetError, errorMessage } from '@cronfleet/core';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ValidationError, type ValidationIssue } from './errors.js';
import type { ScheduleSpec } from './input.js';
import { parseEntries } from './sync.js';

export class ScheduleFileError extends CronfleetError {
  /** The entry's field problems, when the file parsed but an entry is invalid. */
  readonly issues: ValidationIssue[];

  constructor(message: string, issues: ValidationIssue[] = [], options?: { cause?: unknown }) {
    super('invalid_schedule_file', message, options);
    this.issues = issues;
  }
}

const fileSchema = z.union([
  z.strictObject({ schedules: z.array(z.unknown()) }),
  z.array(z.unknown()),
]);

/**
 * Reads a `.json`, `.yaml` or `.yml` file holding a list of schedules or
 * `{ schedules: [...] }`. Entries take the create fields (`cron` or
 * `cronExpression`; startsAt/endsAt as ISO strings); a field left out takes
 * the column default. An invalid entry fails the whole file with
 * `<file>: schedule "<key>" (entry N): <field>: <problem>`. Handler names are
 * checked by sync, which skips unknown ones.
 */
export async function readScheduleFile(path: string): Promise<ScheduleSpec[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ScheduleFileError(`${path}: cannot read the file (${errorMessage(err)})`, [], {
      cause: err,
    });
  }
  const json = extname(path).toLowerCase() === '.json';
  let raw: unknown;
  try {
    raw = json ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ScheduleFileError(
      `${path}: not valid ${json ? 'JSON' : 'YAML'}: ${errorMessage(err)}`,
      [],
      { cause: err },
    );
  }
  const file = fileSchema.safeParse(raw);
  if (!file.success)
    throw new ScheduleFileError(`${path}: expected a list of schedules, or { schedules: [...] }`);
  const entries = Array.isArray(file.data) ? file.data : file.data.schedules;
  try {
    return parseEntries(entries);
  } catch (err) {
    if (err instanceof ValidationError)
      throw new ScheduleFileError(`${path}: ${err.message}`, err.issues, { cause: err });
    throw err;
  }
}
