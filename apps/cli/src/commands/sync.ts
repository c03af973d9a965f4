import { systemClock } from '@cronfleet/core';
import { upsertSchedules, type DbHandle, type ScheduleDefinition } from '@cronfleet/db';
import { createBuiltinHandlers } from '@cronfleet/handlers';
import type { CliContext } from '../context.js';
import { readScheduleFile } from '../schedule-file.js';

export interface SyncReport {
  applied: string[];
  skipped: { key: string; reason: string }[];
}

/**
 * Upserts a file's schedules by key. An entry naming a handler this fleet does
 * not have is reported and skipped; the others still apply.
 */
export async function syncFile(ctx: CliContext, handle: DbHandle, path: string): Promise<SyncReport> {
  const defs = await readScheduleFile(path);
  const known = new Set(createBuiltinHandlers({ db: handle.db }).map((h) => h.name));
  const skipped: SyncReport['skipped'] = [];
  const apply: ScheduleDefinition[] = [];
  for (const def of defs) {
    if (known.has(def.handler)) apply.push(def);
    else {
      const reason = `unknown handler "${def.handler}"; known: ${[...known].sort().join(', ')}`;
      skipped.push({ key: def.key, reason });
      ctx.logger.warn({ scheduleKey: def.key }, `skipped: ${reason}`);
    }
  }
  const rows = await upsertSchedules(handle.db, apply, systemClock.now());
  return { applied: rows.map((r) => r.key), skipped };
}
