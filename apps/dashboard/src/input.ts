/** zod helpers for HTTP inputs: query strings are text, bodies are JSON; both checked strictly. */
import { ValidationError, type ValidationIssue } from '@cronfleet/service';
import { z } from 'zod';

export type InputPart = 'query' | 'body' | 'params';

const kindOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;

/** Short messages naming what was expected; schema-level messages win. */
const errorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined
        ? `is required (${iss.expected})`
        : `expected ${iss.expected}, got ${kindOf(iss.input)}`;
    case 'too_small':
    case 'too_big': {
      const small = iss.code === 'too_small';
      const bound = String(small ? iss.minimum : iss.maximum);
      const unit = iss.origin === 'string' ? ' characters' : '';
      return `must be ${small ? 'at least' : 'at most'} ${bound}${unit}`;
    }
    case 'invalid_value':
      return `expected one of ${iss.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return 'is not a known field';
    default:
      return undefined;
  }
};

export function issuesOf(error: z.ZodError, part: InputPart): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({ field: path ? `${path}.${key}` : key, message: issue.message });
      }
    } else {
      issues.push({ field: path || `(${part})`, message: issue.message });
    }
  }
  return issues;
}

/** The parsed value, or a ValidationError (400) naming each field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: InputPart,
): z.output<S> {
  const parsed = schema.safeParse(value, { error: errorMap });
  if (parsed.success) return parsed.data;
  throw new ValidationError(issuesOf(parsed.error, part), `invalid ${part}`);
}

/** A whole number written in a query string. */
export const intText = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,10}$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** `true` or `false` in a query string. */
export const boolText = z
  .enum(['true', 'false'], { error: 'expected true or false' })
  .transform((v) => v === 'true');

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const INSTANT_HINT = 'expected an ISO 8601 instant with an offset, e.g. "2026-01-01T09:00:00Z"';

/** An ISO 8601 instant with a zone offset, as a Date. */
export const instant = z.string({ error: INSTANT_HINT }).transform((text, ctx) => {
  const date = ISO_INSTANT.test(text.trim()) ? new Date(text.trim()) : null;
  if (!date || Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: `${INSTANT_HINT} (got ${JSON.stringify(text)})` });
    return z.NEVER;
  }
  return date;
});

/** Paging for list routes: limit 1–500 (default 50), offset from 0. */
export const paging = {
  limit: intText(1, 500).optional(),
  offset: intText(0, 1_000_000_000).optional(),
};

/** A schedule key or id in a path. */
export const refParams = z.strictObject({ ref: z.string().min(1).max(200) });

/** A JSON object body (its fields are checked by the service). */
export const objectBody = z.record(z.string(), z.unknown(), { error: 'expected a JSON object' });

/** A route that takes no body: nothing, or an empty object. */
export const emptyBody = z.strictObject({}).optional();
