import { describe, expect, it } from 'vitest';
import { parseCadence, type CadenceInput } from './cadence.js';
import { InvalidScheduleError } from './errors.js';

describe('parseCadence accepts and normalises', () => {
  it.each<{ input: CadenceInput; expected: ReturnType<typeof parseCadence> }>([
    {
      input: { cronExpression: '*/5 * * * *' },
      expected: { kind: 'cron', expression: '*/5 * * * *', timezone: 'UTC' },
    },
    {
      input: { cronExpression: '  0 9 * * 1-5 \n', timezone: ' Europe/London ' },
      expected: { kind: 'cron', expression: '0 9 * * 1-5', timezone: 'Europe/London' },
    },
    {
      input: {
        cronExpression: '*/10 * * * * *',
        timezone: 'america/new_york',
        intervalSeconds: null,
      },
      expected: { kind: 'cron', expression: '*/10 * * * * *', timezone: 'America/New_York' },
    },
    {
      input: { cronExpression: '0 0 L * *', timezone: '' },
      expected: { kind: 'cron', expression: '0 0 L * *', timezone: 'UTC' },
    },
    {
      input: { cronExpression: '0 12 * * MON-FRI', timezone: null },
      expected: { kind: 'cron', expression: '0 12 * * MON-FRI', timezone: 'UTC' },
    },
    {
      input: { cronExpression: '0 0 29 2 *' },
      expected: { kind: 'cron', expression: '0 0 29 2 *', timezone: 'UTC' },
    },
    {
      input: { cronExpression: '0 0 30 2 1' },
      expected: { kind: 'cron', expression: '0 0 30 2 1', timezone: 'UTC' },
    },
    { input: { intervalSeconds: 1 }, expected: { kind: 'interval', seconds: 1 } },
    {
      input: { intervalSeconds: 86_400, cronExpression: '   ' },
      expected: { kind: 'interval', seconds: 86_400 },
    },
    {
      input: { intervalSeconds: 60, timezone: 'Asia/Tokyo' },
      expected: { kind: 'interval', seconds: 60 },
    },
  ])('$input', ({ input, expected }) => {
    expect(parseCadence(input)).toEqual(expected);
  });
});

describe('parseCadence rejects', () => {
  it.each<{ name: string; input: CadenceInput; field: string; message: RegExp }>([
    {
      name: 'a bad expression',
      input: { cronExpression: 'every day at noon' },
      field: 'cronExpression',
      message: /^cronExpression "every day at noon" has 4 fields; expected 5 .* or 6 /,
    },
    {
      name: 'bad characters',
      input: { cronExpression: '0 9 * * funday' },
      field: 'cronExpression',
      message: /^cronExpression "0 9 \* \* funday" is not a valid cron expression: /,
    },
    {
      name: 'a value out of range',
      input: { cronExpression: '60 * * * *' },
      field: 'cronExpression',
      message: /is not a valid cron expression: .*60/,
    },
    {
      name: 'too few fields',
      input: { cronExpression: '* * * *' },
      field: 'cronExpression',
      message: /has 4 fields; expected 5/,
    },
    {
      name: 'too many fields',
      input: { cronExpression: '0 0 0 * * * 2025' },
      field: 'cronExpression',
      message: /has 7 fields; expected 5/,
    },
    {
      name: 'a shorthand',
      input: { cronExpression: '@daily' },
      field: 'cronExpression',
      message: /"@daily" is a shorthand, which is not supported; write "0 0 \* \* \*" instead/,
    },
    {
      name: 'hashed values',
      input: { cronExpression: 'H * * * *' },
      field: 'cronExpression',
      message: /uses "H" \(hashed values\)/,
    },
    {
      name: 'a never-firing 30 February',
      input: { cronExpression: '0 0 30 2 *' },
      field: 'cronExpression',
      message: /^cronExpression "0 0 30 2 \*" can never fire: no date matches it$/,
    },
    {
      name: 'a never-firing 31 April',
      input: { cronExpression: '0 0 31 4 *' },
      field: 'cronExpression',
      message: /^cronExpression "0 0 31 4 \*" can never fire: no date matches it$/,
    },
    {
      name: 'a never-firing 31 in 30-day months only',
      input: { cronExpression: '0 0 31 4,6,9,11 *' },
      field: 'cronExpression',
      message: /can never fire/,
    },
    {
      name: 'an unknown timezone',
      input: { cronExpression: '0 0 * * *', timezone: 'Mars/Base' },
      field: 'timezone',
      message:
        /^timezone "Mars\/Base" is not a known IANA time zone \(e\.g\. "Europe\/London", "UTC"\)$/,
    },
    {
      name: 'an unknown timezone on an interval',
      input: { intervalSeconds: 60, timezone: 'Europe/Atlantis' },
      field: 'timezone',
      message: /"Europe\/Atlantis" is not a known IANA time zone/,
    },
    {
      name: 'interval 0',
      input: { intervalSeconds: 0 },
      field: 'intervalSeconds',
      message: /^intervalSeconds must be a whole number of at least 1 \(got 0\)$/,
    },
    {
      name: 'interval 0.5',
      input: { intervalSeconds: 0.5 },
      field: 'intervalSeconds',
      message: /^intervalSeconds must be a whole number of at least 1 \(got 0\.5\)$/,
    },
    {
      name: 'a negative interval',
      input: { intervalSeconds: -30 },
      field: 'intervalSeconds',
      message: /at least 1 \(got -30\)$/,
    },
    {
      name: 'interval NaN',
      input: { intervalSeconds: Number.NaN },
      field: 'intervalSeconds',
      message: /\(got NaN\)$/,
    },
    {
      name: 'an infinite interval',
      input: { intervalSeconds: Infinity },
      field: 'intervalSeconds',
      message: /\(got Infinity\)$/,
    },
    {
      name: 'a text interval',
      input: { intervalSeconds: '60' as unknown as number },
      field: 'intervalSeconds',
      message: /\(got "60"\)$/,
    },
    {
      name: 'an interval past the column limit',
      input: { intervalSeconds: 2 ** 31 },
      field: 'intervalSeconds',
      message: /at most 2147483647/,
    },
    {
      name: 'both cron and interval',
      input: { cronExpression: '* * * * *', intervalSeconds: 60 },
      field: 'cadence',
      message: /either cronExpression or intervalSeconds, not both/,
    },
    { name: 'neither', input: {}, field: 'cadence', message: /neither is set/ },
    {
      name: 'neither (blank expression, null interval)',
      input: { cronExpression: '  ', intervalSeconds: null },
      field: 'cadence',
      message: /neither is set/,
    },
  ])('$name', ({ input, field, message }) => {
    let thrown: unknown;
    try {
      parseCadence(input);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidScheduleError);
    const error = thrown as InvalidScheduleError;
    expect(error.code).toBe('invalid_schedule');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });
});
