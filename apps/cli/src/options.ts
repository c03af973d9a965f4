/**
 * Parsers for option values. Each throws commander's InvalidArgumentError, so a
 * bad value is a usage error: one line on stderr naming the option, exit 2.
 */
import { InvalidArgumentError } from 'commander';

/** A whole number in [min, max]: `--limit 20`. */
export function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number');
    if (n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`expected a whole number ${range}`);
    }
    return n;
  };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** `30s`, `5m`, `2h`, `1d`, `1h30m`, or plain seconds (`90`) → whole seconds ≥ 1. */
export function duration(value: string): number {
  const text = value.trim().toLowerCase();
  let seconds = 0;
  if (/^\d+$/.test(text)) seconds = Number(text);
  else if (/^(\d+[smhd])+$/.test(text)) {
    for (const [, n = '0', unit = 's'] of text.matchAll(/(\d+)([smhd])/g)) {
      seconds += Number(n) * (UNIT_SECONDS[unit] ?? 1);
    }
  } else {
    throw new InvalidArgumentError('expected a duration such as 30s, 5m, 2h, 1d or 1h30m');
  }
  if (!Number.isSafeInteger(seconds) || seconds < 1)
    throw new InvalidArgumentError('expected a duration of at least 1s');
  return seconds;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** An ISO 8601 instant with an offset, a date (midnight UTC), or `now`. */
export function instant(value: string): Date {
  const text = value.trim();
  const date =
    text.toLowerCase() === 'now'
      ? new Date()
      : ISO_INSTANT.test(text)
        ? new Date(text)
        : ISO_DATE.test(text)
          ? new Date(`${text}T00:00:00Z`)
          : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError(
      'expected an ISO 8601 instant with an offset (2026-01-01T09:00:00Z), a date (2026-01-01) or "now"',
    );
  }
  return date;
}

/** A JSON object: `--payload '{"ms":100}'`. */
export function jsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    const reason = err instanceof Error ? err.message : 'not JSON';
    throw new InvalidArgumentError(`expected a JSON object (${reason})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError('expected a JSON object, e.g. \'{"ms":100}\'');
  }
  return parsed as Record<string, unknown>;
}

/** A non-empty text. */
export function text(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('expected a non-empty value');
  return value;
}

/** What `none` parses to (commander turns a null from a parser into ''). */
export const NONE = Symbol('none');

/** `none` clears a field that may be unset (update); anything else goes to `parse`. */
export function orNone<T>(parse: (value: string) => T) {
  return (value: string): T | typeof NONE =>
    value.trim().toLowerCase() === 'none' ? NONE : parse(value);
}

/** NONE as null, for the service; a value not given stays undefined. */
export const cleared = <T>(value: T | typeof NONE | undefined): T | null | undefined =>
  value === NONE ? null : value;
