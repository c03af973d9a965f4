/**
 * Schemas for single values the service accepts: whole numbers in Postgres's
 * int range, instants, schedule keys, strings and payloads Postgres can store.
 */
import { z } from 'zod';

const INT32_MAX = 2_147_483_647;
export const int = (min: number, max = INT32_MAX) => z.number().int().min(min).max(max);
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const INSTANT_HINT = 'expected an ISO 8601 instant with an offset, e.g. "2026-01-01T09:00:00Z"';

/** A Date, or an ISO 8601 string with a zone offset (files and JSON bodies carry strings). */
export const instantSchema = z
  .union([z.date(), z.string()], { error: INSTANT_HINT })
  .transform((value, ctx) => {
    const date =
      typeof value === 'string' && ISO_INSTANT.test(value.trim()) ? new Date(value.trim()) : value;
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: `${INSTANT_HINT} (got ${JSON.stringify(value)})` });
      return z.NEVER;
    }
    return date;
  });

export const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
export const keySchema = z
  .string()
  .regex(
    KEY_PATTERN,
    'use letters, digits, ".", "_" or "-" (at most 200), starting with a letter or digit',
  );

const NUL = 'must not contain the NUL character (U+0000), which Postgres cannot store';

/** A schedule's payload, as JSON (the dashboard's whole request body has the same cap). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/** Whether a JSON-like value holds U+0000 in any string or key. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => k.includes('\0') || holdsNul(v));
  return false;
}

/** A string Postgres can store, between min and max characters. */
export const pgString = (max: number, min = 0) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((v) => !v.includes('\0'), NUL);

/** A schedule's payload: a JSON object Postgres can store, at most MAX_PAYLOAD_BYTES as JSON. */
export const payloadSchema = z
  .record(z.string(), z.unknown())
  .refine((p) => !holdsNul(p), `${NUL}, in any key or value`)
  .superRefine((p, ctx) => {
    const bytes = Buffer.byteLength(JSON.stringify(p));
    if (bytes > MAX_PAYLOAD_BYTES) {
      ctx.addIssue({
        code: 'custom',
        message: `is ${bytes} bytes as JSON, over the ${MAX_PAYLOAD_BYTES}-byte limit: every run's job carries it through Redis, so keep large data elsewhere and pass a reference`,
      });
    }
  });
