import type { Schedule } from '@cronfleet/db';
import { ValidationError } from './errors.js';
import {
  DEFINITION_FIELDS,
  checkSpec,
  cronOf,
  dropUndefined,
  parseIssues,
  updateScheduleSchema,
  type DefinitionField,
  type ScheduleSpec,
} from './input.js';

// Comparing and patching stored schedule definitions.

/** The definition stored on a row. */
export function specOf(row: Schedule): ScheduleSpec {
  const spec = { key: row.key } as Record<string, unknown>;
  for (const field of DEFINITION_FIELDS) spec[field] = row[field];
  return spec as unknown as ScheduleSpec;
}

/**
 * A patch applied to a stored row. Setting cronExpression clears
 * intervalSeconds and vice versa (unless the patch sets both, which fails).
 * Returns the checked spec and the fields whose value changes.
 */
export function applyPatch(
  row: Schedule,
  raw: unknown,
  knownHandlers?: () => readonly string[],
): { spec: ScheduleSpec; changed: DefinitionField[] } {
  const { data, issues } = parseIssues(updateScheduleSchema, raw);
  if (!data) throw new ValidationError(issues, 'invalid schedule');
  const cronExpression = cronOf(data, issues);
  if (issues.length > 0) throw new ValidationError(issues, 'invalid schedule');
  const { cron: _alias, cronExpression: _cron, ...rest } = data;
  const current = specOf(row);
  const next: ScheduleSpec = { ...current, ...dropUndefined(rest) };
  if (cronExpression !== undefined) {
    next.cronExpression = cronExpression;
    if (cronExpression !== null && rest.intervalSeconds === undefined) next.intervalSeconds = null;
  }
  if (rest.intervalSeconds != null && cronExpression === undefined) next.cronExpression = null;
  const checkHandler = rest.handler !== undefined ? knownHandlers : undefined;
  const spec = checkSpec(next, checkHandler);
  return { spec, changed: changedFields(current, spec) };
}

export function changedFields(before: ScheduleSpec, after: ScheduleSpec): DefinitionField[] {
  return DEFINITION_FIELDS.filter((field) => !sameValue(before[field], after[field]));
}

/** Equality as Postgres stores it: dates by instant, JSON regardless of key order. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    return canonicalJson(a) === canonicalJson(b);
  }
  return a === b;
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}
