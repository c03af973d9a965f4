import { scheduleRuns, schedules, type Db, type NewSchedule } from '@cronfleet/db';

let n = 0;

/** A schedule (a unique key, noop every minute unless `def` says otherwise) and one run of it. */
export async function insertScheduleWithRun(
  db: Db,
  def: Partial<NewSchedule> = {},
  status = 'queued',
) {
  n += 1;
  const [schedule] = await db
    .insert(schedules)
    .values({ key: `w-${n}`, handler: 'noop', intervalSeconds: 60, ...def })
    .returning();
  const [run] = await db
    .insert(scheduleRuns)
    .values({
      scheduleId: schedule!.id,
      scheduledFor: new Date(Date.UTC(2026, 0, 1, 0, n)),
      status,
    })
    .returning();
  return { schedule: schedule!, run: run! };
}
