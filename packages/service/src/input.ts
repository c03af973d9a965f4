import { parseCadence, type Cadence } from '@cronfleet/core';
import {
  CATCHUP_POLICIES,
  OVERLAP_POLICIES,
  type CatchupPolicyName,
  type OverlapPolicy,
} from '@cronfleet/db';
import { z } from 'zod';
import {
  ValidationError,
  cadenceIssue,
  issueMap,
  zodIssues,
  type ValidationIssue,
} from './errors.js';
import { instantSchema, int, keySchema, payloadSchema, pgString } from './values.js';

/** Every definition field, optional; `cron` is an alias of cronExpression. */
const fields = {
  name: pgString(200).nullable().optional(),
  description: pgString(2_000).nullable().optional(),
  group: pgString(100, 1).nullable().optional(),
  handler: pgString(200, 1).optional(),
  cronExpression: pgString(1_000, 1).nullable().optional(),
  cron: pgString(1_000, 1).nullable().optional(),
  intervalSeconds: int(1).nullable().optional(),
  timezone: pgString(100, 1).optional(),
  payload: payloadSchema.optional(),
  enabled: z.boolean().optional(),
  maxAttempts: int(1, 100).optional(),
  backoffMs: int(0).optional(),
  timeoutMs: int(1).nullable().optional(),
  catchupPolicy: z.enum(CATCHUP_POLICIES).optional(),
  maxCatchup: int(1, 10_000).optional(),
  overlapPolicy: z.enum(OVERLAP_POLICIES).optional(),
  startsAt: instantSchema.nullable().optional(),
  endsAt: instantSchema.nullable().optional(),
  maxRuns: int(1).nullable().optional(),
  maxConsecutiveFailures: int(1).nullable().optional(),
  jitterSeconds: int(0, 86_400).optional(),
};

export const createScheduleSchema = z.strictObject({
  ...fields,
  key: keySchema,
  handler: fields.handler.unwrap(),
});
export const updateScheduleSchema = z.strictObject(fields);

/** What create and sync accept (Dates or ISO strings; `cron` or `cronExpression`). */
export type ScheduleInput = z.input<typeof createScheduleSchema>;
/** What update accepts: any subset of the definition fields; null clears a nullable one. */
export type SchedulePatch = z.input<typeof updateScheduleSchema>;

/** A complete, validated schedule definition: the columns an operator sets. */
export interface ScheduleSpec {
  key: string;
  name: string | null;
  description: string | null;
  group: string | null;
  handler: string;
  cronExpression: string | null;
  intervalSeconds: number | null;
  timezone: string;
  payload: Record<string, unknown>;
  enabled: boolean;
  maxAttempts: number;
  backoffMs: number;
  timeoutMs: number | null;
  catchupPolicy: CatchupPolicyName;
  maxCatchup: number;
  overlapPolicy: OverlapPolicy;
  startsAt: Date | null;
  endsAt: Date | null;
  maxRuns: number | null;
  maxConsecutiveFailures: number | null;
  jitterSeconds: number;
}

export type DefinitionField = Exclude<keyof ScheduleSpec, 'key'>;

/** The column defaults (the database's own; a test checks they agree). */
export const DEFINITION_DEFAULTS = {
  name: null,
  description: null,
  group: null,
  timezone: 'UTC',
  payload: {},
  enabled: true,
  maxAttempts: 3,
  backoffMs: 1_000,
  timeoutMs: null,
  catchupPolicy: 'latest',
  maxCatchup: 100,
  overlapPolicy: 'skip',
  startsAt: null,
  endsAt: null,
  maxRuns: null,
  maxConsecutiveFailures: null,
  jitterSeconds: 0,
} as const satisfies Partial<Omit<ScheduleSpec, 'key'>>;

export const DEFINITION_FIELDS: readonly DefinitionField[] = [
  'name',
  'description',
  'group',
  'handler',
  'cronExpression',
  'intervalSeconds',
  'timezone',
  'payload',
  'enabled',
  'maxAttempts',
  'backoffMs',
  'timeoutMs',
  'catchupPolicy',
  'maxCatchup',
  'overlapPolicy',
  'startsAt',
  'endsAt',
  'maxRuns',
  'maxConsecutiveFailures',
  'jitterSeconds',
];

/** Fields whose change moves the schedule's slots, so next_run_at must be recomputed. */
export const SLOT_FIELDS: readonly DefinitionField[] = [
  'cronExpression',
  'intervalSeconds',
  'timezone',
  'startsAt',
];

type Parsed<S extends z.ZodType> = z.output<S>;

export function parseIssues<S extends z.ZodType>(
  schema: S,
  raw: unknown,
): { data?: Parsed<S>; issues: ValidationIssue[] } {
  const parsed = schema.safeParse(raw, { error: issueMap });
  return parsed.success ? { data: parsed.data, issues: [] } : { issues: zodIssues(parsed.error) };
}

/** `cron` and `cronExpression` name one field; giving both with different values is an error. */
export function cronOf(
  input: { cron?: string | null; cronExpression?: string | null },
  issues: ValidationIssue[],
) {
  if (
    input.cron !== undefined &&
    input.cronExpression !== undefined &&
    input.cron !== input.cronExpression
  ) {
    issues.push({
      field: 'cron',
      message: 'cron is another name for cronExpression; give one of them',
    });
  }
  return input.cron !== undefined ? input.cron : input.cronExpression;
}

/**
 * Checks what the field schemas cannot: the cadence (parseCadence: cron syntax,
 * time zone, exactly one of cron/interval), the active window, and the handler
 * name. Returns the spec with a normalised cron expression and time zone.
 */
export function checkSpec(
  spec: ScheduleSpec,
  knownHandlers?: () => readonly string[],
): ScheduleSpec {
  const issues: ValidationIssue[] = [];
  const out = { ...spec };
  try {
    const cadence = parseCadence(spec);
    if (cadence.kind === 'cron') {
      out.cronExpression = cadence.expression;
      out.timezone = cadence.timezone;
    } else {
      out.timezone = spec.timezone.trim();
    }
  } catch (err) {
    issues.push(cadenceIssue(err));
  }
  if (spec.startsAt && spec.endsAt && spec.endsAt.getTime() <= spec.startsAt.getTime()) {
    issues.push({
      field: 'endsAt',
      message: `must be after startsAt (${spec.startsAt.toISOString()}); got ${spec.endsAt.toISOString()}`,
    });
  }
  const unknown = handlerProblem(spec.handler, knownHandlers);
  if (unknown) issues.push({ field: 'handler', message: unknown });
  if (issues.length > 0) throw new ValidationError(issues, 'invalid schedule');
  return out;
}

/** Why a handler name is not accepted, or undefined when it is (or no list is known). */
export function handlerProblem(
  handler: string,
  knownHandlers?: () => readonly string[],
): string | undefined {
  if (!knownHandlers) return undefined;
  const known = knownHandlers();
  if (known.includes(handler)) return undefined;
  return `unknown handler "${handler}"; known: ${[...known].sort().join(', ') || '(none)'}`;
}

/**
 * A create/sync input as a spec with the column defaults filled in. Throws
 * ValidationError naming each field. Handler names are checked only when
 * `knownHandlers` is given.
 */
export function parseScheduleInput(
  raw: unknown,
  knownHandlers?: () => readonly string[],
): ScheduleSpec {
  const { data, issues } = parseIssues(createScheduleSchema, raw);
  if (!data) throw new ValidationError(issues, 'invalid schedule');
  const cronExpression = cronOf(data, issues);
  if (issues.length > 0) throw new ValidationError(issues, 'invalid schedule');
  const { cron: _alias, ...rest } = data;
  const spec: ScheduleSpec = {
    ...DEFINITION_DEFAULTS,
    ...dropUndefined(rest),
    payload: rest.payload ?? {},
    cronExpression: cronExpression ?? null,
    intervalSeconds: rest.intervalSeconds ?? null,
  };
  return checkSpec(spec, knownHandlers);
}

const cadenceSchema = createScheduleSchema.pick({
  cron: true,
  cronExpression: true,
  intervalSeconds: true,
  timezone: true,
});

/** An unsaved cadence (`cron` or `cronExpression`, `timezone`, or `intervalSeconds`), checked as create checks it. */
export function parseCadenceInput(raw: unknown): Cadence {
  const { data, issues } = parseIssues(cadenceSchema, raw);
  if (!data) throw new ValidationError(issues, 'invalid schedule');
  const cronExpression = cronOf(data, issues);
  if (issues.length > 0) throw new ValidationError(issues, 'invalid schedule');
  try {
    return parseCadence({
      cronExpression,
      intervalSeconds: data.intervalSeconds,
      timezone: data.timezone,
    });
  } catch (err) {
    throw new ValidationError([cadenceIssue(err)], 'invalid schedule');
  }
}

export function dropUndefined<T extends object>(
  value: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
