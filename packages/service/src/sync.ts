/** sync: make the stored schedules match a list of definitions (a schedules file). */
import { retryOnConflict, type Schedule } from '@cronfleet/db';
import { z } from 'zod';
import type { ServiceContext } from './context.js';
import { ValidationError, parseOrThrow } from './errors.js';
import {
  handlerProblem,
  parseScheduleInput,
  type DefinitionField,
  type ScheduleInput,
  type ScheduleSpec,
} from './input.js';
import { changedFields, specOf } from './patch.js';
import { DEADLOCK_RETRY } from './schedules.js';
import { deleteSchedulesByKey, keysNotIn, schedulesByKeys, upsertDefinitions } from './queries.js';

export interface SyncPlan {
  create: string[];
  /** Each changed schedule with the definition fields that change. */
  update: { key: string; fields: DefinitionField[] }[];
  unchanged: string[];
  /** Stored but not in the entries: removed with `prune`, otherwise only listed. */
  remove: string[];
}

export interface SyncResult {
  plan: SyncPlan;
  /** Entries left out (an unknown handler); the rest still apply. */
  skipped: { key: string; reason: string }[];
  /** False for a dry run. */
  applied: boolean;
}

export interface SyncOptions {
  prune?: boolean;
  dryRun?: boolean;
}

const optionsSchema = z.strictObject({
  prune: z.boolean().optional(),
  dryRun: z.boolean().optional(),
});

/** `schedule "<key>" (entry N)`, or `entry N` when the entry has no usable key. */
export function entryLabel(item: unknown, index: number): string {
  const key =
    typeof item === 'object' && item !== null ? (item as { key?: unknown }).key : undefined;
  return typeof key === 'string' ? `schedule "${key}" (entry ${index + 1})` : `entry ${index + 1}`;
}

/**
 * Validates every entry as create does (handler names aside). An invalid
 * entry throws ValidationError whose message reads
 * `schedule "<key>" (entry N): <field>: <problem>`.
 */
export function parseEntries(entries: readonly unknown[]): ScheduleSpec[] {
  if (!Array.isArray(entries)) {
    throw new ValidationError(
      [{ field: '(input)', message: 'expected a list of schedules' }],
      'invalid sync',
    );
  }
  const firstIndex = new Map<string, number>();
  return entries.map((item, index) => {
    let spec: ScheduleSpec;
    try {
      spec = parseScheduleInput(item);
    } catch (err) {
      if (err instanceof ValidationError)
        throw new ValidationError(err.issues, entryLabel(item, index), { cause: err });
      throw err;
    }
    const earlier = firstIndex.get(spec.key);
    if (earlier !== undefined) {
      throw new ValidationError(
        [
          {
            field: 'key',
            message: `"${spec.key}" is used by entry ${earlier + 1} too; keys must be unique`,
          },
        ],
        entryLabel(item, index),
      );
    }
    firstIndex.set(spec.key, index);
    return spec;
  });
}

/**
 * What changes for one stored schedule. A schedule the fleet disabled itself
 * (disabled_reason: window over, max_runs reached, failure streak) stays
 * disabled when the only difference is the file's `enabled: true`: the
 * definition has not changed, so running it again is an operator's decision.
 */
function diff(
  row: Schedule,
  spec: ScheduleSpec,
): { spec: ScheduleSpec; fields: DefinitionField[] } {
  const fields = changedFields(specOf(row), spec);
  const fleetDisabled = !row.enabled && row.disabledReason !== null && spec.enabled;
  if (fleetDisabled && fields.every((f) => f === 'enabled'))
    return { spec: { ...spec, enabled: false }, fields: [] };
  return { spec, fields };
}

export function syncMethods(ctx: ServiceContext) {
  return {
    /**
     * Upserts the entries by key in one transaction, comparing each with the
     * stored definition field by field (runtime state is never compared or
     * overwritten). Fields an entry leaves out take the column defaults.
     */
    async sync(entries: readonly ScheduleInput[], opts: SyncOptions = {}): Promise<SyncResult> {
      const { prune = false, dryRun = false } = parseOrThrow(
        optionsSchema,
        opts,
        'invalid sync options',
      );
      const specs = parseEntries(entries);
      const skipped: SyncResult['skipped'] = [];
      const accepted = specs.filter((spec) => {
        const problem = handlerProblem(spec.handler, ctx.knownHandlers);
        if (problem) skipped.push({ key: spec.key, reason: problem });
        return !problem;
      });
      const now = ctx.clock.now();
      // Pruning deletes runs, which a worker may be recording: see remove().
      return retryOnConflict(
        () =>
          ctx.db.transaction(async (tx) => {
            const rows = await schedulesByKeys(
              tx,
              accepted.map((s) => s.key),
              { forUpdate: !dryRun },
            );
            const stored = new Map(rows.map((row) => [row.key, row]));
            const plan: SyncPlan = {
              create: [],
              update: [],
              unchanged: [],
              remove: await keysNotIn(
                tx,
                specs.map((s) => s.key),
              ),
            };
            const writes: ScheduleSpec[] = [];
            for (const spec of accepted) {
              const row = stored.get(spec.key);
              if (!row) {
                plan.create.push(spec.key);
                writes.push(spec);
                continue;
              }
              const change = diff(row, spec);
              if (change.fields.length === 0) plan.unchanged.push(spec.key);
              else {
                plan.update.push({ key: spec.key, fields: change.fields });
                writes.push(change.spec);
              }
            }
            if (!dryRun) {
              await upsertDefinitions(tx, writes, now);
              if (prune) await deleteSchedulesByKey(tx, plan.remove);
            }
            for (const s of skipped)
              ctx.logger?.warn({ scheduleKey: s.key }, `sync skipped: ${s.reason}`);
            ctx.logger?.info(
              {
                create: plan.create.length,
                update: plan.update.length,
                unchanged: plan.unchanged.length,
                remove: plan.remove.length,
                prune,
                dryRun,
              },
              'sync',
            );
            return { plan, skipped, applied: !dryRun };
          }),
        {
          onRetry: (tries) => ctx.logger?.warn({ tries }, DEADLOCK_RETRY),
        },
      );
    },
  };
}
