import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineHandler } from './define.js';
import { testContext } from './test/context.js';

const base = { payload: z.strictObject({}), run: () => Promise.resolve(null) };

describe('defineHandler', () => {
  it.each(['noop', 'http.request', 'fleet.prune-history', 'a', 'a_b-c.d9', `a${'b'.repeat(99)}`])(
    'accepts the name %j',
    (name) => {
      expect(defineHandler({ ...base, name }).name).toBe(name);
    },
  );

  it.each([
    ['', 'empty'],
    ['Noop', 'uppercase'],
    ['1abc', 'leading digit'],
    ['.abc', 'leading dot'],
    ['has space', 'space'],
    ['slash/name', 'slash'],
    [`a${'b'.repeat(100)}`, '101 characters'],
  ])('rejects the name %j (%s) with a clear error', (name) => {
    expect(() => defineHandler({ ...base, name })).toThrow(
      new TypeError(
        `invalid handler name ${JSON.stringify(name)}: use 1-100 characters, a lowercase letter first, ` +
          'then lowercase letters, digits, ".", "_" or "-" (e.g. "http.request")',
      ),
    );
  });

  it.each([0, -5, 1.5, Number.NaN])('rejects timeoutMs %s', (timeoutMs) => {
    expect(() => defineHandler({ ...base, name: 'x', timeoutMs })).toThrow(
      `handler "x": timeoutMs must be a positive integer of milliseconds, got ${timeoutMs}`,
    );
  });

  it('returns the definition unchanged, keeping its payload type', async () => {
    const def = defineHandler({
      name: 'typed',
      timeoutMs: 1_000,
      payload: z.strictObject({ n: z.int().default(2) }),
      run: ({ n }) => Promise.resolve(n * 2),
    });
    expect(def.timeoutMs).toBe(1_000);
    const payload = def.payload.parse({});
    await expect(def.run(payload, testContext())).resolves.toBe(4);
  });
});
