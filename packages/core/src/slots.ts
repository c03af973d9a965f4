/**
 * Slot computation: when a schedule fires. Pure functions; time is always passed in.
 *
 * Slots are the instants a schedule is meant to run at. They are computed from the
 * cadence, never as "last run + interval", so schedules do not drift.
 *
 * ## Cron and daylight-saving time (DST)
 *
 * A cron expression describes wall-clock times in the schedule's time zone.
 *
 * 1. Fall-back (a wall-clock hour happens twice, e.g. 01:00–01:59 on the first
 *    Sunday of November in America/New_York): a slot whose hour field names
 *    specific hours (`30 1 * * *`) fires ONCE, at the first occurrence (01:30 EDT),
 *    not again at 01:30 EST.
 * 2. Expressions whose hour field matches every hour (`*\/15 * * * *`,
 *    `0 * * * *`, `*\/10 * * * * *`) fire at every real instant whose wall-clock
 *    time matches, so across a fall-back they fire in both passes of the repeated
 *    hour: every 15 minutes of real time, nothing repeated, nothing lost.
 * 3. Spring-forward (wall-clock times that never happen, e.g. 02:00–02:59 on the
 *    second Sunday of March in America/New_York, 01:00–01:59 on the last Sunday
 *    of March in Europe/London): a slot in the gap is not skipped; it fires at the
 *    first valid instant after the gap (03:00 New York, 02:00 London). Several
 *    slots in one gap (`*\/15 * * * *`) fire once, together, at that instant.
 * 4. Interval schedules are absolute: slots are anchor + k × seconds in UTC and
 *    ignore time zones and DST. Without an anchor the grid is aligned to the Unix
 *    epoch, so "every 10 s" fires at :00, :10, :20…
 *
 * (cron-parser's own tz mode moves a gap slot by the size of the gap (02:30 →
 * 03:30 New York) and its prev() returns both passes of a repeated hour, so it is
 * only used in UTC and these rules are applied in cron.ts.)
 */
import type { Cadence } from './cadence.js';
import { compileCron, cronLatestAtOrBefore, cronNextAfter } from './cron.js';

const MAX_MEMOISED_NEXT = 20_000;
const nextMemo = new Map<string, number>();

function epochMs(date: Date, what: string): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`${what} must be a valid Date`);
  return ms;
}

function optionalAnchor(anchor: Date | null | undefined): number | null {
  return anchor === null || anchor === undefined ? null : epochMs(anchor, 'anchor');
}

function intervalNext(periodMs: number, after: number, anchor: number | null): number {
  if (anchor !== null && after < anchor) return anchor;
  const origin = anchor ?? 0;
  return origin + (Math.floor((after - origin) / periodMs) + 1) * periodMs;
}

function intervalLatest(periodMs: number, at: number, anchor: number | null): number | null {
  if (anchor !== null && at < anchor) return null;
  const origin = anchor ?? 0;
  return origin + Math.floor((at - origin) / periodMs) * periodMs;
}

function cronNextMemoised(expression: string, timezone: string, after: number): number {
  const key = `${expression}\n${timezone}\n${after}`;
  const hit = nextMemo.get(key);
  if (hit !== undefined) return hit;
  const next = cronNextAfter(compileCron(expression), timezone, after);
  if (nextMemo.size >= MAX_MEMOISED_NEXT) nextMemo.clear();
  nextMemo.set(key, next);
  return next;
}

/** Epoch-ms form of nextSlotAfter, for loops that would otherwise allocate Dates. */
export function nextSlotMs(cadence: Cadence, after: number, anchor: number | null): number {
  if (cadence.kind === 'interval') return intervalNext(cadence.seconds * 1000, after, anchor);
  return cronNextMemoised(cadence.expression, cadence.timezone, after);
}

/** Epoch-ms form of latestSlotAtOrBefore. */
export function latestSlotMs(cadence: Cadence, at: number, anchor: number | null): number | null {
  if (cadence.kind === 'interval') return intervalLatest(cadence.seconds * 1000, at, anchor);
  return cronLatestAtOrBefore(compileCron(cadence.expression), cadence.timezone, at);
}

/**
 * First slot strictly after `after`. For intervals, slots lie on anchor + k × seconds
 * (k >= 0); with no anchor the grid is aligned to the Unix epoch. The anchor is the
 * schedule's previous or current slot; cron ignores it.
 */
export function nextSlotAfter(cadence: Cadence, after: Date, anchor?: Date | null): Date {
  return new Date(nextSlotMs(cadence, epochMs(after, 'after'), optionalAnchor(anchor)));
}

/** Latest slot at or before `at`, or null if there is none (e.g. an interval anchored after `at`). */
export function latestSlotAtOrBefore(
  cadence: Cadence,
  at: Date,
  anchor?: Date | null,
): Date | null {
  const latest = latestSlotMs(cadence, epochMs(at, 'at'), optionalAnchor(anchor));
  return latest === null ? null : new Date(latest);
}

function checkCount(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a whole number >= 0 (got ${value})`);
  }
}

/**
 * Up to `limit` slots s with from < s <= to (from <= s with inclusiveFrom), oldest
 * first. `truncated` is true when more slots in the range were left out.
 */
export function slotsBetween(
  cadence: Cadence,
  range: { from: Date; to: Date; inclusiveFrom?: boolean; limit: number },
  anchor?: Date | null,
): { slots: Date[]; truncated: boolean } {
  checkCount(range.limit, 'limit');
  const from = epochMs(range.from, 'from');
  const to = epochMs(range.to, 'to');
  const anchorMs = optionalAnchor(anchor);
  const slots: Date[] = [];
  let cursor = range.inclusiveFrom === true ? from - 1 : from;
  for (;;) {
    const next = nextSlotMs(cadence, cursor, anchorMs);
    if (next > to) return { slots, truncated: false };
    if (slots.length >= range.limit) return { slots, truncated: true };
    slots.push(new Date(next));
    cursor = next;
  }
}

/** The next `count` slots strictly after `after`, oldest first (for previews). */
export function upcomingSlots(
  cadence: Cadence,
  after: Date,
  count: number,
  anchor?: Date | null,
): Date[] {
  checkCount(count, 'count');
  const anchorMs = optionalAnchor(anchor);
  const slots: Date[] = [];
  let cursor = epochMs(after, 'after');
  while (slots.length < count) {
    cursor = nextSlotMs(cadence, cursor, anchorMs);
    slots.push(new Date(cursor));
  }
  return slots;
}
