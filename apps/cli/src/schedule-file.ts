/** Reading and validating schedules files lives in @cronfleet/service; re-exported for the CLI's callers. */
export { readScheduleFile, ScheduleFileError, type ScheduleSpec } from '@cronfleet/service';
