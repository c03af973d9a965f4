/**
 * Cron slots in a time zone, following the DST rules documented in slots.ts.
 *
 * cron-parser is used only in UTC, where no clock ever jumps: it answers "which
 * wall-clock times match this expression". Those wall-clock times are encoded as
 * UTC epoch ms ("naive" times) and mapped to real instants here, segment by
 * segment of constant offset (see zone.ts), which is where the DST rules live.
 */
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { CronfleetError } from './errors.js';
import { segmentAt } from './zone.js';

export interface CompiledCron {
  readonly expression: string;
  /** Stateful iterator; always reset() right before use. */
  readonly iterator: CronExpression;
  /** The hour field matches all 24 hours (e.g. `*\/15 * * * *`): repeated wall-clock times fire twice. */
  readonly everyHour: boolean;
}

const MAX_COMPILED = 1_000;
const MAX_SEGMENTS_SEARCHED = 64;
const compiled = new Map<string, CompiledCron>();

/** Parse (cached, least-recently-used eviction). Throws cron-parser's own error for bad input. */
export function compileCron(expression: string): CompiledCron {
  const hit = compiled.get(expression);
  if (hit) {
    compiled.delete(expression);
    compiled.set(expression, hit);
    return hit;
  }
  const iterator = CronExpressionParser.parse(expression, { tz: 'UTC', strict: false });
  const entry: CompiledCron = {
    expression,
    iterator,
    everyHour: iterator.fields.hour.values.length === 24,
  };
  if (compiled.size >= MAX_COMPILED) {
    const oldest = compiled.keys().next();
    if (!oldest.done) compiled.delete(oldest.value);
  }
  compiled.set(expression, entry);
  return entry;
}

/** Smallest matching wall-clock time strictly after `naive` (both as UTC-encoded epoch ms). */
export function naiveNext(cron: CompiledCron, naive: number): number {
  cron.iterator.reset(new Date(naive));
  return cron.iterator.next().getTime();
}

/** Largest matching wall-clock time at or before `naive`, or null if there is none. */
function naivePrevAtOrBefore(cron: CompiledCron, naive: number): number | null {
  cron.iterator.reset(new Date(naive + 1));
  try {
    return cron.iterator.prev().getTime();
  } catch {
    return null;
  }
}

function searchFailed(cron: CompiledCron, timezone: string, from: number): CronfleetError {
  return new CronfleetError(
    'slot_search_failed',
    `no slot found for cronExpression "${cron.expression}" in ${timezone} near ${new Date(from).toISOString()}`,
  );
}

/** First slot strictly after instant `after` (epoch ms). */
export function cronNextAfter(cron: CompiledCron, timezone: string, after: number): number {
  let cursor = after; // exclusive lower bound
  for (let step = 0; step < MAX_SEGMENTS_SEARCHED; step++) {
    const seg = segmentAt(timezone, cursor + 1);
    let lowNaive = cursor + seg.offset;
    if (!cron.everyHour && seg.prevOffset > seg.offset) {
      // Fall-back: the wall-clock times repeated at the start of this segment already fired.
      lowNaive = Math.max(lowNaive, seg.start + seg.prevOffset - 1);
    }
    const wall = naiveNext(cron, lowNaive);
    const instant = wall - seg.offset;
    if (instant < seg.end) return instant;
    if (seg.nextOffset > seg.offset && wall < seg.end + seg.nextOffset) {
      // Spring-forward: the match falls in the skipped wall-clock gap; fire when the gap ends.
      return seg.end;
    }
    cursor = seg.end - 1;
  }
  throw searchFailed(cron, timezone, after);
}

/** Latest slot at or before instant `at` (epoch ms), or null if none can be found. */
export function cronLatestAtOrBefore(
  cron: CompiledCron,
  timezone: string,
  at: number,
): number | null {
  let cursor = at; // inclusive upper bound
  for (let step = 0; step < MAX_SEGMENTS_SEARCHED; step++) {
    const seg = segmentAt(timezone, cursor);
    const wall = naivePrevAtOrBefore(cron, cursor + seg.offset);
    if (wall === null) return null;
    const skipsRepeats = !cron.everyHour && seg.prevOffset > seg.offset;
    const firstOwnWall = seg.start + (skipsRepeats ? seg.prevOffset : seg.offset);
    if (wall >= firstOwnWall) return wall - seg.offset;
    if (seg.prevOffset < seg.offset && wall >= seg.start + seg.prevOffset) {
      // The match lies in the spring-forward gap just before this segment: it fired at the gap's end.
      return seg.start;
    }
    if (seg.start === -Infinity) return null;
    cursor = seg.start - 1;
  }
  return null;
}
