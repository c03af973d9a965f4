import { CronfleetError, InvalidScheduleError, errorMessage } from '@cronfleet/core';
import type { z } from 'zod';

export interface ValidationIssue {
  /** The input field, e.g. 'intervalSeconds' or 'payload.url'; '(input)' for the whole value. */
  field: string;
  message: string;
}

/** Input that cannot be accepted; `issues` names each field and its problem. */
export class ValidationError extends CronfleetError {
  readonly issues: ValidationIssue[];

  /** `subject` starts the message: 'invalid schedule' → "invalid schedule: key: …; timezone: …". */
  constructor(issues: ValidationIssue[], subject = 'invalid input', options?: { cause?: unknown }) {
    super('invalid_input', `${subject}: ${formatIssues(issues)}`, options);
    this.issues = issues;
  }
}

/** The write would collide with something that exists (a schedule key already taken). */
export class ConflictError extends CronfleetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options);
  }
}

export const formatIssues = (issues: readonly ValidationIssue[]): string =>
  issues.map((i) => `${i.field}: ${i.message}`).join('; ');

/** A cadence problem found by parseCadence, as an issue on its field. */
export function cadenceIssue(err: unknown): ValidationIssue {
  if (err instanceof InvalidScheduleError) return { field: err.field, message: err.message };
  return { field: 'cadence', message: errorMessage(err) };
}

const kindOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

const show = (value: unknown): string =>
  typeof value === 'string'
    ? JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
    : typeof value === 'number' || typeof value === 'boolean' || value === null
      ? String(value)
      : kindOf(value);

const NOUN: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'a list',
  date: 'a date',
};

/** Phrases zod issues for operators; schema-level messages still win. */
export const issueMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return `is required (${NOUN[iss.expected] ?? iss.expected})`;
      return `expected ${NOUN[iss.expected] ?? iss.expected}, got ${show(iss.input)}`;
    case 'too_small':
    case 'too_big': {
      const small = iss.code === 'too_small';
      const limit = String(small ? iss.minimum : iss.maximum);
      if (iss.origin === 'string')
        return `must be ${small ? 'at least' : 'at most'} ${limit} characters long`;
      return `must be ${small ? 'at least' : 'at most'} ${limit} (got ${show(iss.input)})`;
    }
    case 'invalid_value':
      return `expected one of ${iss.values.map((v) => String(v)).join(', ')} (got ${show(iss.input)})`;
    case 'unrecognized_keys':
      return 'is not a known field';
    default:
      return undefined;
  }
};

/** zod's issues as field/message pairs; an unknown key becomes one issue per key. */
export function zodIssues(error: z.ZodError): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ field: path ? `${path}.${key}` : key, message: issue.message });
    } else {
      out.push({ field: path || '(input)', message: issue.message });
    }
  }
  return out;
}

/** Parses with our error phrasing, or throws ValidationError. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  subject?: string,
): z.output<S> {
  const parsed = schema.safeParse(value, { error: issueMap });
  if (!parsed.success) throw new ValidationError(zodIssues(parsed.error), subject);
  return parsed.data;
}
