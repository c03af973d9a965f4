/** Output for people (aligned tables, label/value lists) and for scripts (one JSON document). */

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | null | undefined;
  align?: 'left' | 'right';
  /** Longer values are cut with an ellipsis (default 60). */
  max?: number;
}

const EMPTY = '-';

/** One line, at most `max` characters. */
export function cell(value: string | number | null | undefined, max = 60): string {
  if (value === null || value === undefined || value === '') return EMPTY;
  const line = String(value).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, Math.max(1, max - 1))}…` : line;
}

/** An aligned table: a header row, then one row per item, columns two spaces apart. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string[] {
  const body = rows.map((row) => columns.map((c) => cell(c.value(row), c.max)));
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...body.map((cells) => cells[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((text, i) => {
        const width = widths[i] ?? 0;
        return columns[i]?.align === 'right' ? text.padStart(width) : text.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...body.map(line)];
}

/** `label  value` lines, labels aligned; null and undefined values are left out. */
export function details(pairs: readonly [string, string | number | null | undefined][]): string[] {
  const shown = pairs.filter(
    (pair): pair is [string, string | number] => pair[1] !== null && pair[1] !== undefined,
  );
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
}

/** `2026-03-02T12:00:00Z` (milliseconds shown only when there are any). */
export function time(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toISOString().replace('.000Z', 'Z');
}

/** `350 ms`, `1.2 s`, `2 min 3 s`. */
export function duration(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const s = Math.round(ms / 1_000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** `1 schedule`, `3 schedules`. */
export const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** `51–100 of 120 schedules (--offset 100 for more)`. */
export function countLine(shown: number, total: number, noun: string, offset = 0): string {
  if (total === 0) return `no ${noun}s`;
  if (shown === 0) return `no ${noun}s at offset ${offset} (${total} in all)`;
  if (shown === total) return plural(total, noun);
  const more = offset + shown < total ? ` (--offset ${offset + shown} for more)` : '';
  return `${offset + 1}–${offset + shown} of ${total} ${noun}s${more}`;
}

/** Either the JSON document or the human lines, on stdout. */
export function emit(opts: { json?: boolean }, data: unknown, human: () => string[]): void {
  if (opts.json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else for (const line of human()) process.stdout.write(`${line}\n`);
}
