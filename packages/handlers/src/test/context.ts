import { randomUUID } from 'node:crypto';
import { createLogger } from '@cronfleet/core';
import type { HandlerContext } from '../define.js';

/** A context as the worker would build it, with a silent logger. */
export function testContext(overrides: Partial<HandlerContext> = {}): HandlerContext {
  return {
    runId: randomUUID(),
    scheduleKey: 'test-schedule',
    scheduledFor: new Date('2024-01-01T00:00:00Z'),
    attempt: 1,
    logger: createLogger({ name: 'handlers-test', level: 'silent' }),
    signal: new AbortController().signal,
    ...overrides,
  };
}
