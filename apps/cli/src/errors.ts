import { errorMessage } from '@cronfleet/core';

/** Several lines as one: "a:\nb\nc" → "a: b; c". */
export function oneLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.reduce(
    (out, l) =>
      out === '' ? l : `${out}${out.endsWith(':') || l.startsWith('(') ? ' ' : '; '}${l}`,
    '',
  );
}

/**
 * What went wrong, in one line, without a stack: the service's errors already
 * name the field or the schedule; a failed query shows the database's reason,
 * not the SQL; a failed connection shows the first address's error.
 */
export function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.message === '' && err.errors.length > 0) {
    return describeError(err.errors[0]);
  }
  const message = errorMessage(err);
  if (err instanceof Error && err.cause !== undefined && message.startsWith('Failed query')) {
    return `database error: ${oneLine(describeError(err.cause))}`;
  }
  return oneLine(message);
}
