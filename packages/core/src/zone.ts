/**
 * Time-zone offsets and transitions, from the runtime's IANA database (Intl).
 *
 * A zone's history is cut into segments of constant UTC offset. Transitions are
 * found once per (zone, UTC year) by sampling the offset daily and bisecting to
 * the second where it changes, then kept in a bounded cache.
 */

const DAY_MS = 86_400_000;
const MAX_CACHED_ZONES = 500;
const MAX_CACHED_YEARS_PER_ZONE = 64;

interface Transition {
  /** First instant (epoch ms) with the new offset. */
  at: number;
  before: number;
  after: number;
}

interface YearTable {
  /** Offset in force at 00:00 UTC on 1 January. */
  startOffset: number;
  /** Transitions in (start of year, start of next year], oldest first. */
  transitions: Transition[];
}

/**
 * A stretch of time with one UTC offset. `start`/`end` may be ±Infinity (a fixed
 * zone) or a pseudo boundary where the offset does not change, which callers
 * simply step over.
 */
export interface Segment {
  start: number;
  end: number;
  offset: number;
  /** Offset in force just before `start`. */
  prevOffset: number;
  /** Offset in force from `end`. */
  nextOffset: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const tables = new Map<string, Map<number, YearTable>>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size >= MAX_CACHED_ZONES) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The canonical spelling of a known IANA zone name, or null if the runtime does not know it. */
export function canonicalTimeZone(name: string): string | null {
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions()
      .timeZone;
    // Keep the caller's zone (links stay links) but fix its letter case.
    return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
  } catch {
    return null;
  }
}

/** UTC offset in ms (local wall clock minus UTC) at an instant, straight from Intl. */
function intlOffset(timeZone: string, ms: number): number {
  const wholeSecond = Math.floor(ms / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(wholeSecond)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = new Date(0);
  wall.setUTCFullYear(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1);
  wall.setUTCHours(parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, 0);
  return wall.getTime() - wholeSecond;
}

/** First whole second in (lo, hi] whose offset differs from `before` (which holds at lo). */
function bisectTransition(timeZone: string, lo: number, hi: number, before: number): number {
  let low = Math.floor(lo / 1000);
  let high = Math.ceil(hi / 1000);
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (intlOffset(timeZone, mid * 1000) === before) low = mid;
    else high = mid;
  }
  return high * 1000;
}

function buildYear(timeZone: string, year: number): YearTable {
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const startOffset = intlOffset(timeZone, start);
  const transitions: Transition[] = [];
  let previous = start;
  let previousOffset = startOffset;
  for (let t = start + DAY_MS; t <= end; t += DAY_MS) {
    const offset = intlOffset(timeZone, t);
    if (offset !== previousOffset) {
      transitions.push({
        at: bisectTransition(timeZone, previous, t, previousOffset),
        before: previousOffset,
        after: offset,
      });
      previousOffset = offset;
    }
    previous = t;
  }
  return { startOffset, transitions };
}

function yearTable(timeZone: string, year: number): YearTable {
  let years = tables.get(timeZone);
  if (!years) {
    if (tables.size >= MAX_CACHED_ZONES) tables.clear();
    years = new Map();
    tables.set(timeZone, years);
  }
  let table = years.get(year);
  if (!table) {
    if (years.size >= MAX_CACHED_YEARS_PER_ZONE) years.clear();
    table = buildYear(timeZone, year);
    years.set(year, table);
  }
  return table;
}

function isFixedUtc(timeZone: string): boolean {
  return timeZone === 'UTC' || timeZone === 'Etc/UTC';
}

function utcYear(ms: number): number {
  return new Date(ms).getUTCFullYear();
}

/** Last transition at or before `ms` within this and the previous UTC year. */
function previousTransition(timeZone: string, ms: number): Transition | null {
  const year = utcYear(ms);
  for (const y of [year, year - 1]) {
    const list = yearTable(timeZone, y).transitions;
    for (let i = list.length - 1; i >= 0; i--) {
      const transition = list[i];
      if (transition && transition.at <= ms) return transition;
    }
  }
  return null;
}

/** First transition after `ms` within this and the next UTC year. */
function nextTransition(timeZone: string, ms: number): Transition | null {
  const year = utcYear(ms);
  for (const y of [year, year + 1]) {
    for (const transition of yearTable(timeZone, y).transitions) {
      if (transition.at > ms) return transition;
    }
  }
  return null;
}

/** UTC offset in ms (local minus UTC) in force at `ms`. */
export function offsetAt(timeZone: string, ms: number): number {
  if (isFixedUtc(timeZone)) return 0;
  const table = yearTable(timeZone, utcYear(ms));
  let offset = table.startOffset;
  for (const transition of table.transitions) {
    if (transition.at > ms) break;
    offset = transition.after;
  }
  return offset;
}

/** The constant-offset segment containing instant `ms`. */
export function segmentAt(timeZone: string, ms: number): Segment {
  if (isFixedUtc(timeZone)) {
    return { start: -Infinity, end: Infinity, offset: 0, prevOffset: 0, nextOffset: 0 };
  }
  const offset = offsetAt(timeZone, ms);
  const previous = previousTransition(timeZone, ms);
  const next = nextTransition(timeZone, ms);
  const year = utcYear(ms);
  return {
    start: previous ? previous.at : Date.UTC(year - 1, 0, 1),
    end: next ? next.at : Date.UTC(year + 2, 0, 1),
    offset,
    prevOffset: previous ? previous.before : offset,
    nextOffset: next ? next.after : offset,
  };
}

/** Wall-clock time ('YYYY-MM-DD HH:mm:ss') and UTC offset ('+01:00') of an instant in a zone. */
export function zoneTime(at: Date, timeZone: string): { local: string; offset: string } {
  const offsetMs = offsetAt(timeZone, at.getTime());
  const local = new Date(at.getTime() + offsetMs).toISOString().slice(0, 19).replace('T', ' ');
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return { local, offset: `${offsetMs < 0 ? '-' : '+'}${hhmm}` };
}
