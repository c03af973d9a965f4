import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { CronfleetError, errorMessage, parseCadence } from '@cronfleet/core';
import type { ScheduleDefinition } from '@cronfleet/db';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** One entry of a schedules file, in the words operators write. */
export const scheduleEntrySchema = z
  .object({
    key: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'use letters, digits, ".", "_" or "-" (max 200), starting with a letter or digit'),
    name: z.string().max(200).optional(),
    description: z.string().max(2_000).optional(),
    group: z.string().max(100).optional(),
    handler: z.string().min(1),
    cron: z.string().min(1).optional(),
    intervalSeconds: z.number().int().min(1).optional(),
    timezone: z.string().min(1).default('UTC'),
    payload: z.record(z.string(), z.unknown()).default({}),
    enabled: z.boolean().default(true),
    maxAttempts: z.number().int().min(1).max(100).default(3),
    backoffMs: z.number().int().min(0).default(1_000),
    timeoutMs: z.number().int().min(1).optional(),
  })
  .strict();

export type ScheduleEntry = z.infer<typeof scheduleEntrySchema>;

const fileSchema = z.union([z.object({ schedules: z.array(z.unknown()) }).strict(), z.array(z.unknown())]);

export class ScheduleFileError extends CronfleetError {
  constructor(message: string) {
    super('invalid_schedule_file', message);
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(entry)'}: ${issue.message}`)
    .join('; ');
}

/** Reads a JSON or YAML schedules file; every problem names the file, the entry's key and the field. */
export async function readScheduleFile(path: string): Promise<ScheduleDefinition[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ScheduleFileError(`${path}: cannot read the file (${errorMessage(err)})`);
  }
  let raw: unknown;
  try {
    raw = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ScheduleFileError(`${path}: not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${errorMessage(err)}`);
  }
  const file = fileSchema.safeParse(raw);
  if (!file.success) throw new ScheduleFileError(`${path}: expected a list of schedules, or { schedules: [...] }`);
  const entries = Array.isArray(file.data) ? file.data : file.data.schedules;
  const seen = new Set<string>();
  return entries.map((item, index) => {
    const label = describeEntry(item, index);
    const parsed = scheduleEntrySchema.safeParse(item);
    if (!parsed.success) throw new ScheduleFileError(`${path}: ${label}: ${describeIssues(parsed.error)}`);
    if (seen.has(parsed.data.key)) throw new ScheduleFileError(`${path}: ${label}: key is used twice in this file`);
    seen.add(parsed.data.key);
    try {
      parseCadence({ cronExpression: parsed.data.cron, intervalSeconds: parsed.data.intervalSeconds, timezone: parsed.data.timezone });
    } catch (err) {
      const field = err instanceof CronfleetError && 'field' in err ? `${String(err.field)}: ` : '';
      throw new ScheduleFileError(`${path}: ${label}: ${field}${errorMessage(err)}`);
    }
    return toDefinition(parsed.data);
  });
}

function describeEntry(item: unknown, index: number): string {
  const key = typeof item === 'object' && item && 'key' in item ? (item).key : undefined;
  return typeof key === 'string' ? `schedule "${key}" (entry ${index + 1})` : `entry ${index + 1}`;
}

export function toDefinition(entry: ScheduleEntry): ScheduleDefinition {
  return {
    key: entry.key,
    name: entry.name ?? null,
    description: entry.description ?? null,
    group: entry.group ?? null,
    handler: entry.handler,
    cronExpression: entry.cron ?? null,
    intervalSeconds: entry.intervalSeconds ?? null,
    timezone: entry.timezone,
    payload: entry.payload,
    enabled: entry.enabled,
    maxAttempts: entry.maxAttempts,
    backoffMs: entry.backoffMs,
    timeoutMs: entry.timeoutMs ?? null,
  };
}
