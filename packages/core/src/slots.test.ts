import { describe, expect, it } from 'vitest';
import { parseCadence, type Cadence } from './cadence.js';
import { latestSlotAtOrBefore, nextSlotAfter } from './slots.js';

const cron = (expression: string, timezone = 'UTC'): Cadence =>
  parseCadence({ cronExpression: expression, timezone });
const every = (seconds: number): Cadence => parseCadence({ intervalSeconds: seconds });
/** ISO text without a zero milliseconds part, to keep the tables short. */
const iso = (date: Date | null) => date?.toISOString().replace('.000Z', 'Z') ?? null;

describe('nextSlotAfter (cron)', () => {
  it.each([
    ['*/5 * * * *', 'UTC', '2025-06-10T10:02:30Z', '2025-06-10T10:05:00Z'],
    // strictly after: an instant exactly on a slot gives the following slot
    ['*/5 * * * *', 'UTC', '2025-06-10T10:05:00Z', '2025-06-10T10:10:00Z'],
    ['*/5 * * * *', 'UTC', '2025-06-10T10:04:59.999Z', '2025-06-10T10:05:00Z'],
    ['*/5 * * * *', 'UTC', '2025-06-10T10:05:00.001Z', '2025-06-10T10:10:00Z'],
    ['0 0 * * *', 'UTC', '2025-12-31T23:59:59Z', '2026-01-01T00:00:00Z'],
    // 6 fields: a leading seconds field
    ['*/10 * * * * *', 'UTC', '2025-06-10T10:00:05Z', '2025-06-10T10:00:10Z'],
    ['*/10 * * * * *', 'UTC', '2025-06-10T10:00:10Z', '2025-06-10T10:00:20Z'],
    ['*/10 * * * * *', 'UTC', '2025-06-10T10:00:09.500Z', '2025-06-10T10:00:10Z'],
    ['15 30 9 * * *', 'UTC', '2025-06-10T09:30:15Z', '2025-06-11T09:30:15Z'],
    // zones: the expression is wall-clock time there
    ['0 9 * * *', 'America/New_York', '2025-01-15T00:00:00Z', '2025-01-15T14:00:00Z'],
    ['0 9 * * *', 'America/New_York', '2025-07-15T00:00:00Z', '2025-07-15T13:00:00Z'],
    ['30 17 * * *', 'Asia/Kolkata', '2025-07-15T00:00:00Z', '2025-07-15T12:00:00Z'],
    ['0 0 * * *', 'Asia/Tokyo', '2025-07-15T15:00:00Z', '2025-07-16T15:00:00Z'],
    ['0 9 * * 1-5', 'Europe/London', '2025-06-13T08:00:00Z', '2025-06-16T08:00:00Z'],
    ['0 0 0 1 1 *', 'Pacific/Auckland', '2025-06-01T00:00:00Z', '2025-12-31T11:00:00Z'],
    // month ends: the 31st skips 30-day months; L is the last day
    ['0 0 31 * *', 'UTC', '2025-04-01T00:00:00Z', '2025-05-31T00:00:00Z'],
    ['0 0 31 * *', 'UTC', '2025-05-31T00:00:00Z', '2025-07-31T00:00:00Z'],
    ['0 0 31 * *', 'UTC', '2025-08-31T00:00:00Z', '2025-10-31T00:00:00Z'],
    ['0 0 L * *', 'UTC', '2025-02-01T00:00:00Z', '2025-02-28T00:00:00Z'],
    ['0 0 L * *', 'UTC', '2024-02-01T00:00:00Z', '2024-02-29T00:00:00Z'],
    ['0 0 L * *', 'UTC', '2025-04-15T00:00:00Z', '2025-04-30T00:00:00Z'],
    // 29 February: the next leap year (2100 is not one)
    ['0 12 29 2 *', 'UTC', '2025-01-01T00:00:00Z', '2028-02-29T12:00:00Z'],
    ['0 12 29 2 *', 'UTC', '2024-02-29T12:00:00Z', '2028-02-29T12:00:00Z'],
    ['0 12 29 2 *', 'UTC', '2096-03-01T00:00:00Z', '2104-02-29T12:00:00Z'],
    ['0 12 29 2 *', 'Europe/London', '2025-01-01T00:00:00Z', '2028-02-29T12:00:00Z'],
  ])('%s in %s after %s → %s', (expr, tz, after, next) => {
    expect(iso(nextSlotAfter(cron(expr, tz), new Date(after)))).toBe(next);
  });
});

describe('latestSlotAtOrBefore (cron)', () => {
  it.each([
    ['*/5 * * * *', 'UTC', '2025-06-10T10:07:00Z', '2025-06-10T10:05:00Z'],
    ['*/5 * * * *', 'UTC', '2025-06-10T10:05:00Z', '2025-06-10T10:05:00Z'],
    ['*/5 * * * *', 'UTC', '2025-06-10T10:04:59.999Z', '2025-06-10T10:00:00Z'],
    ['*/10 * * * * *', 'UTC', '2025-06-10T10:00:19.999Z', '2025-06-10T10:00:10Z'],
    ['0 0 31 * *', 'UTC', '2025-06-15T00:00:00Z', '2025-05-31T00:00:00Z'],
    ['0 0 L * *', 'UTC', '2025-03-15T00:00:00Z', '2025-02-28T00:00:00Z'],
    ['0 12 29 2 *', 'UTC', '2027-12-31T00:00:00Z', '2024-02-29T12:00:00Z'],
    ['0 9 * * 1-5', 'Europe/London', '2025-06-15T12:00:00Z', '2025-06-13T08:00:00Z'],
    ['0 0 * * *', 'Asia/Tokyo', '2025-07-15T14:59:59Z', '2025-07-14T15:00:00Z'],
  ])('%s in %s at %s → %s', (expr, tz, at, latest) => {
    expect(iso(latestSlotAtOrBefore(cron(expr, tz), new Date(at)))).toBe(latest);
  });
});

describe('latestSlotAtOrBefore (interval)', () => {
  it.each([
    [10, '2025-06-10T00:00:25.500Z', null, '2025-06-10T00:00:20Z'],
    [10, '2025-06-10T00:00:20Z', null, '2025-06-10T00:00:20Z'],
    [10, '2025-06-10T00:00:25Z', '2025-06-10T00:00:03Z', '2025-06-10T00:00:23Z'],
    [10, '2025-06-10T00:00:03Z', '2025-06-10T00:00:03Z', '2025-06-10T00:00:03Z'],
    [10, '2025-06-10T00:00:02Z', '2025-06-10T00:00:03Z', null], // anchor after `at`
  ])('every %s s at %s (anchor %s) → %s', (seconds, at, anchor, latest) => {
    const found = latestSlotAtOrBefore(
      every(seconds),
      new Date(at),
      anchor === null ? null : new Date(anchor),
    );
    expect(iso(found)).toBe(latest);
  });
});
