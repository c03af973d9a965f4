import { describe, expect, it } from 'vitest';
import { createManualClock, systemClock, withTimeout } from './clock.js';

const START = Date.UTC(2025, 0, 1);

describe('createManualClock', () => {
  it.each([
    { name: 'starts where told (number)', start: START, expected: START },
    { name: 'starts where told (Date)', start: new Date(START), expected: START },
  ])('$name', ({ start, expected }) => {
    expect(createManualClock(start).now().getTime()).toBe(expected);
  });

  it.each<{ steps: ({ advance: number } | { set: Date | number })[]; expected: number }>([
    { steps: [{ advance: 1_000 }], expected: START + 1_000 },
    { steps: [{ advance: 1_000 }, { advance: 500 }], expected: START + 1_500 },
    { steps: [{ advance: -60_000 }], expected: START - 60_000 },
    { steps: [{ set: START + 86_400_000 }], expected: START + 86_400_000 },
    { steps: [{ set: new Date(START + 5) }, { advance: 5 }], expected: START + 10 },
  ])('moves by $steps', ({ steps, expected }) => {
    const clock = createManualClock(START);
    for (const step of steps) {
      if ('advance' in step) clock.advance(step.advance);
      else clock.set(step.set);
    }
    expect(clock.now().getTime()).toBe(expected);
  });

  it('returns a fresh Date each time, so callers cannot move the clock', () => {
    const clock = createManualClock(START);
    clock.now().setTime(0);
    expect(clock.now().getTime()).toBe(START);
  });

  it.each([
    { name: 'invalid start', act: () => createManualClock(Number.NaN) },
    { name: 'invalid set', act: () => createManualClock(START).set(new Date('nope')) },
    { name: 'infinite advance', act: () => createManualClock(START).advance(Infinity) },
  ])('rejects $name', ({ act }) => {
    expect(act).toThrow(RangeError);
  });
});

describe('systemClock', () => {
  it('reads the real time', () => {
    const before = Date.now();
    const now = systemClock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});

describe('withTimeout', () => {
  it('returns the work when it finishes first, and "timeout" when the bound comes first', async () => {
    expect(await withTimeout(Promise.resolve('done'), 1_000)).toBe('done');
    expect(await withTimeout(new Promise(() => undefined), 5)).toBe('timeout');
  });
});
