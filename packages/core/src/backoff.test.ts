import { describe, expect, it } from 'vitest';
import { computeBackoffMs } from './backoff.js';

const fixed = (value: number) => () => value;

describe('computeBackoffMs', () => {
  it.each([
    // attempt, random → expected, with baseMs 1000 and the default jitter 0.2 and cap 1 h
    { attempt: 1, random: 0, expected: 800 },
    { attempt: 1, random: 0.5, expected: 1_000 },
    { attempt: 1, random: 1, expected: 1_200 },
    { attempt: 2, random: 0, expected: 1_600 },
    { attempt: 2, random: 0.5, expected: 2_000 },
    { attempt: 2, random: 1, expected: 2_400 },
    { attempt: 3, random: 0.5, expected: 4_000 },
    { attempt: 5, random: 0, expected: 12_800 },
    { attempt: 5, random: 0.5, expected: 16_000 },
    { attempt: 5, random: 1, expected: 19_200 },
    { attempt: 12, random: 0.5, expected: 2_048_000 },
    { attempt: 13, random: 0.5, expected: 3_600_000 }, // 4 096 000 capped at 1 h
    { attempt: 13, random: 0, expected: 2_880_000 },
    { attempt: 13, random: 1, expected: 4_320_000 },
    { attempt: 5_000, random: 0.5, expected: 3_600_000 }, // 2^4999 overflows to Infinity: still the cap
  ])('attempt $attempt with random $random → $expected ms', ({ attempt, random, expected }) => {
    expect(computeBackoffMs(attempt, { baseMs: 1_000, random: fixed(random) })).toBe(expected);
  });

  it.each([
    { opts: { baseMs: 500, maxMs: 3_000, jitter: 0 }, expected: [500, 1_000, 2_000, 3_000, 3_000] },
    { opts: { baseMs: 0 }, expected: [0, 0, 0, 0, 0] },
    {
      opts: { baseMs: 100, jitter: 0.5, random: fixed(1) },
      expected: [150, 300, 600, 1_200, 2_400],
    },
    { opts: { baseMs: 333, jitter: 0 }, expected: [333, 666, 1_332, 2_664, 5_328] },
  ])('attempts 1–5 with $opts', ({ opts, expected }) => {
    expect(
      [1, 2, 3, 4, 5].map((attempt) => computeBackoffMs(attempt, { random: fixed(0.5), ...opts })),
    ).toEqual(expected);
  });

  it.each([0.05, 0.2, 0.33])(
    'with jitter %s every delay is longer than the one before, until the cap',
    (jitter) => {
      // Worst case for growth: this retry drew the maximum factor, the next one the minimum.
      for (let attempt = 1; attempt < 12; attempt++) {
        const high = computeBackoffMs(attempt, { baseMs: 1_000, jitter, random: fixed(1) });
        const low = computeBackoffMs(attempt + 1, { baseMs: 1_000, jitter, random: fixed(0) });
        expect(low).toBeGreaterThan(high);
      }
    },
  );

  it('uses Math.random by default and stays in range', () => {
    for (let i = 0; i < 200; i++) {
      const delay = computeBackoffMs(3, { baseMs: 1_000 });
      expect(delay).toBeGreaterThanOrEqual(3_200);
      expect(delay).toBeLessThanOrEqual(4_800);
      expect(Number.isInteger(delay)).toBe(true);
    }
  });

  it.each([
    { attempt: 0, opts: { baseMs: 1 } },
    { attempt: 1.5, opts: { baseMs: 1 } },
    { attempt: 1, opts: { baseMs: -1 } },
    { attempt: 1, opts: { baseMs: Number.NaN } },
    { attempt: 1, opts: { baseMs: 1, maxMs: -5 } },
    { attempt: 1, opts: { baseMs: 1, jitter: 1.5 } },
  ])('rejects attempt $attempt with $opts', ({ attempt, opts }) => {
    expect(() => computeBackoffMs(attempt, opts)).toThrow(RangeError);
  });
});
