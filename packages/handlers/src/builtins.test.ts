import { describe, expect, it } from 'vitest';
import { failHandler, noopHandler, sleepHandler } from './builtins.js';
import { testContext } from './test/context.js';

describe('noop', () => {
  it('succeeds with { ok: true }', async () => {
    await expect(noopHandler.run({}, testContext())).resolves.toEqual({ ok: true });
  });
});

describe('sleep', () => {
  it('resolves after the wait with the time slept', async () => {
    await expect(sleepHandler.run({ ms: 5 }, testContext())).resolves.toEqual({ sleptMs: 5 });
  });

  it('rejects with the abort reason when the run is aborted mid-sleep', async () => {
    const controller = new AbortController();
    const reason = new Error('run cancelled by operator');
    const run = sleepHandler.run({ ms: 86_400_000 }, testContext({ signal: controller.signal }));
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const reason = new Error('shutting down');
    await expect(
      sleepHandler.run({ ms: 86_400_000 }, testContext({ signal: AbortSignal.abort(reason) })),
    ).rejects.toBe(reason);
  });
});

describe('fail', () => {
  it.each<[number | undefined, number, 'fails' | 'succeeds']>([
    [undefined, 1, 'fails'],
    [undefined, 50, 'fails'],
    [1, 1, 'fails'],
    [1, 2, 'succeeds'],
    [3, 3, 'fails'],
    [3, 4, 'succeeds'],
  ])('times=%s, attempt %i %s', async (times, attempt, outcome) => {
    const run = failHandler.run({ message: 'boom', times }, testContext({ attempt }));
    if (outcome === 'fails') await expect(run).rejects.toThrow(new Error('boom'));
    else await expect(run).resolves.toEqual({ succeededOnAttempt: attempt });
  });

  it('uses the default message after parsing an empty payload', async () => {
    const payload = failHandler.payload.parse({});
    await expect(failHandler.run(payload, testContext())).rejects.toThrow('requested failure');
  });
});
