import type { Command } from 'commander';
import type { DbHandle } from '@cronfleet/db';
import { createBuiltinHandlers } from '@cronfleet/handlers';
import {
  createScheduleService,
  readScheduleFile,
  type SyncOptions,
  type SyncResult,
} from '@cronfleet/service';
import { JSON_HELP, createContext, withDb, type CliContext } from '../context.js';
import { emit } from '../format.js';

/**
 * Reads a schedules file and syncs it by key: computes the plan, then applies
 * it unless `dryRun`. An entry naming a handler this fleet does not have is
 * reported and skipped; the others still apply. `prune` removes schedules the
 * file no longer names.
 */
export async function syncFile(
  ctx: CliContext,
  handle: DbHandle,
  path: string,
  opts: SyncOptions = {},
): Promise<SyncResult> {
  const entries = await readScheduleFile(path);
  const known = createBuiltinHandlers({ db: handle.db }).map((h) => h.name);
  const service = createScheduleService({
    db: handle.db,
    logger: ctx.logger,
    knownHandlers: () => known,
  });
  return service.sync(entries, opts);
}

/** The plan for people: what is created, updated (which fields), unchanged, removed or would be. */
export function formatSyncResult(result: SyncResult, opts: { prune?: boolean } = {}): string[] {
  const { plan, skipped, applied } = result;
  const list = (keys: readonly string[]) => keys.join(', ');
  const lines: string[] = [];
  if (plan.create.length > 0) lines.push(`create     ${list(plan.create)}`);
  for (const u of plan.update) lines.push(`update     ${u.key} (${u.fields.join(', ')})`);
  if (plan.unchanged.length > 0) lines.push(`unchanged  ${list(plan.unchanged)}`);
  if (plan.remove.length > 0) {
    lines.push(
      opts.prune
        ? `remove     ${list(plan.remove)}`
        : `would remove ${list(plan.remove)} (not in the file; --prune removes them)`,
    );
  }
  for (const s of skipped) lines.push(`skipped    ${s.key}: ${s.reason}`);
  const removed = opts.prune ? plan.remove.length : 0;
  const counts = `${plan.create.length} created, ${plan.update.length} updated, ${plan.unchanged.length} unchanged, ${removed} removed`;
  lines.push(applied ? `applied: ${counts}` : `dry run, nothing written (would apply: ${counts})`);
  return lines;
}

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description(
      'make the stored schedules match a JSON or YAML file, by key: print the plan, then apply it',
    )
    .argument('<file>', 'schedules file (.yaml, .yml or .json)')
    .option('--dry-run', 'print the plan without writing anything')
    .option('--prune', 'remove schedules the file no longer names')
    .option('--json', `${JSON_HELP}: { plan, skipped, applied }`)
    .action(
      async (file: string, options: { dryRun?: boolean; prune?: boolean; json?: boolean }) => {
        const ctx = createContext();
        const opts = { dryRun: options.dryRun ?? false, prune: options.prune ?? false };
        const result = await withDb(ctx, (handle) => syncFile(ctx, handle, file, opts));
        emit(options, result, () => formatSyncResult(result, opts));
      },
    );
}
