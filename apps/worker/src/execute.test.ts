import { createLogger } from '@cronfleet/core';
import { defineHandler, type HandlerContext } from '@cronfleet/handlers';
import { waitFor } from '@cronfleet/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  executeHandler,
  HandlerAbortedError,
  HandlerTimeoutError,
  RunAbort,
  RunCancelledError,
} from './execute.js';

const ctx = {
  runId: 'run-1',
  scheduleKey: 'nightly',
  scheduledFor: new Date('2026-11-22T00:00:00Z'),
  attempt: 1,
  logger: createLogger({ name: 'test', level: 'silent' }),
};

/** A handler that waits until it is told to finish, and records its context. */
function waiting() {
  let finish: (value: unknown) => void = () => undefined;
  const seen: { ctx?: HandlerContext } = {};
  const def = defineHandler({
    name: 'test.waiting',
    payload: z.object({}),
    run: (_payload, c) => {
      seen.ctx = c;
      return new Promise((resolve) => {
        finish = resolve;
      });
    },
  });
  return { def, seen, finish: (value: unknown) => finish(value) };
}

describe('RunAbort', () => {
  it('gives a signal made after the abort the first reason', () => {
    const abort = new RunAbort();
    const first = new RunCancelledError();
    abort.abort(first);
    abort.abort(new Error('later'));
    expect(abort.signal.aborted).toBe(true);
    expect(abort.signal.reason).toBe(first);
  });

  it('aborts a signal the handler already holds', () => {
    const abort = new RunAbort();
    const signal = abort.signal;
    expect(signal.aborted).toBe(false);
    abort.abort(new RunCancelledError());
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(RunCancelledError);
  });
});

describe('executeHandler', () => {
  it('returns what the handler returns, with the run in its context', async () => {
    const h = waiting();
    const result = executeHandler(h.def, {}, ctx, {});
    await waitFor('the handler to start', () => h.seen.ctx);
    h.finish({ rows: 3 });
    await expect(result).resolves.toEqual({ rows: 3 });
    expect(h.seen.ctx).toMatchObject({ runId: 'run-1', scheduleKey: 'nightly', attempt: 1 });
    expect(h.seen.ctx?.signal.aborted).toBe(false);
  });

  it.each([
    [
      'an Error reason ends the attempt with that error',
      new RunCancelledError(),
      RunCancelledError,
    ],
    ['any other reason ends it as aborted', 'operator said stop', HandlerAbortedError],
  ])('%s, even if the handler never reads its signal', async (_title, reason, type) => {
    const h = waiting();
    const abort = new RunAbort();
    const result = executeHandler(h.def, {}, ctx, { abort });
    abort.abort(reason);
    await expect(result).rejects.toBeInstanceOf(type);
  });

  it('ends at once, without calling the handler, when the run was aborted before it began', async () => {
    const h = waiting();
    const abort = new RunAbort();
    abort.abort(new RunCancelledError());
    await expect(executeHandler(h.def, {}, ctx, { abort })).rejects.toBeInstanceOf(
      RunCancelledError,
    );
    expect(h.seen.ctx).toBeUndefined();
  });

  it('builds a logger given as a function when the handler first reads it, once', async () => {
    const h = waiting();
    let built = 0;
    const logger = () => {
      built += 1;
      return ctx.logger;
    };
    const result = executeHandler(h.def, {}, { ...ctx, logger }, {});
    await waitFor('the handler to start', () => h.seen.ctx);
    expect(built).toBe(0);
    expect(h.seen.ctx?.logger).toBe(ctx.logger);
    expect(h.seen.ctx?.logger).toBe(ctx.logger);
    expect(built).toBe(1);
    // A copy of the context keeps its logger and signal.
    const copy = { ...h.seen.ctx };
    expect(copy.logger).toBe(ctx.logger);
    expect(copy.signal?.aborted).toBe(false);
    h.finish(null);
    await result;
  });

  it('fails the attempt with what a handler throws before it returns a promise', async () => {
    const def = defineHandler({
      name: 'test.throws',
      payload: z.object({}),
      run: () => {
        throw new Error('bad config');
      },
    });
    await expect(executeHandler(def, {}, ctx, {})).rejects.toThrow('bad config');
  });

  it('aborts the handler signal on its timeout', async () => {
    const h = waiting();
    const result = executeHandler(h.def, {}, ctx, { timeoutMs: 20 });
    await expect(result).rejects.toBeInstanceOf(HandlerTimeoutError);
    expect(h.seen.ctx?.signal.aborted).toBe(true);
    expect(h.seen.ctx?.signal.reason).toBeInstanceOf(HandlerTimeoutError);
  });
});
