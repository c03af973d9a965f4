import { describe, expect, it } from 'vitest';
import { describeFrequency, stateOf } from './view.js';

describe('describeFrequency', () => {
  it.each<[number, string]>([
    [1, 'every 1 s'],
    [10, 'every 10 s'],
    [90, 'every 90 s'],
    [300, 'every 5 min'],
    [7_200, 'every 2 h'],
    [5_400, 'every 90 min'],
    [86_400, 'every 1 d'],
    [172_800, 'every 2 d'],
  ])('interval %s s → %s', (intervalSeconds, words) => {
    expect(describeFrequency({ intervalSeconds, cronExpression: null, timezone: 'UTC' })).toBe(
      words,
    );
  });

  it.each<[string, string, string]>([
    ['* * * * *', 'UTC', 'every minute'],
    ['*/5 * * * *', 'UTC', 'every 5 min'],
    ['*/7 * * * *', 'UTC', 'cron */7 * * * * (UTC)'],
    ['15 * * * *', 'UTC', 'hourly at :15'],
    ['0 9 * * *', 'Europe/London', 'daily at 09:00 (Europe/London)'],
    ['30 6 * * 1-5', 'UTC', 'weekdays at 06:30 (UTC)'],
    ['0 10 * * 0,6', 'Asia/Tokyo', 'weekends at 10:00 (Asia/Tokyo)'],
    ['0 9 1 * *', 'UTC', 'cron 0 9 1 * * (UTC)'],
    ['0 0 9 * * *', 'UTC', 'cron 0 0 9 * * * (UTC)'],
    ['0 9,17 * * *', 'UTC', 'cron 0 9,17 * * * (UTC)'],
  ])('cron %s in %s → %s', (cronExpression, timezone, words) => {
    expect(describeFrequency({ cronExpression, intervalSeconds: null, timezone })).toBe(words);
  });
});

describe('stateOf', () => {
  it.each<[boolean, Date | null, string]>([
    [true, null, 'enabled'],
    [true, new Date(0), 'paused'],
    [false, null, 'disabled'],
    [false, new Date(0), 'disabled'],
  ])('enabled %s, paused_at %s → %s', (enabled, pausedAt, state) => {
    expect(stateOf({ enabled, pausedAt })).toBe(state);
  });
});
