import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CronfleetError } from '@cronfleet/core';
import { createDb } from '@cronfleet/db';
import { createBuiltinHandlers } from './builtins.js';
import { defineHandler } from './define.js';
import { createRegistry, UnknownHandlerError } from './registry.js';

const handler = (name: string) =>
  defineHandler({ name, payload: z.strictObject({}), run: () => Promise.resolve(name) });

// A pool that never connects: parsing payloads needs no database.
const unused = createDb({ url: 'postgres://nobody@127.0.0.1:1/unused' });
afterAll(() => unused.close());

describe('createRegistry', () => {
  it('lists names sorted and finds handlers by name', () => {
    const registry = createRegistry([handler('sleep'), handler('a.b'), handler('noop')]);
    expect(registry.names()).toEqual(['a.b', 'noop', 'sleep']);
    expect(registry.get('noop')?.name).toBe('noop');
    expect(registry.get('missing')).toBeUndefined();
  });

  it('does not let callers mutate its name list', () => {
    const registry = createRegistry([handler('a'), handler('b')]);
    registry.names().pop();
    expect(registry.names()).toEqual(['a', 'b']);
  });

  it('throws naming a duplicate handler', () => {
    expect(() => createRegistry([handler('noop'), handler('sleep'), handler('noop')])).toThrow(
      'duplicate handler name "noop": each handler must be registered once',
    );
  });

  it('rejects a definition whose name bypassed defineHandler', () => {
    expect(() => createRegistry([{ ...handler('ok'), name: 'Bad Name' }])).toThrow(
      /invalid handler name "Bad Name"/,
    );
  });

  it('reports an unknown handler with the registered names', () => {
    const registry = createRegistry([handler('b'), handler('a'), handler('c')]);
    expect(registry.parsePayload('x', {})).toEqual({
      ok: false,
      message: 'unknown handler "x"; registered handlers: a, b, c',
    });
  });
});

describe('UnknownHandlerError', () => {
  it('is a CronfleetError with code unknown_handler', () => {
    const err = new UnknownHandlerError('x', ['a', 'b', 'c']);
    expect(err).toBeInstanceOf(CronfleetError);
    expect(err.code).toBe('unknown_handler');
    expect(err.name).toBe('UnknownHandlerError');
    expect(err.handler).toBe('x');
    expect(err.message).toBe('unknown handler "x"; registered handlers: a, b, c');
    expect(new UnknownHandlerError('x', []).message).toBe(
      'unknown handler "x"; registered handlers: (none)',
    );
  });
});

describe('parsePayload with the built-ins', () => {
  const registry = createRegistry(createBuiltinHandlers({ db: unused.db }));
  const url = 'https://example.test/hook';

  it('registers every built-in', () => {
    expect(registry.names()).toEqual([
      'fail',
      'fleet.prune-history',
      'http.request',
      'noop',
      'sleep',
    ]);
  });

  it.each<[string, unknown, string]>([
    ['sleep', { ms: 'x' }, 'payload.ms: expected a number, got string'],
    ['sleep', { ms: -1 }, 'payload.ms: must be >= 0, got -1'],
    ['sleep', { ms: 1.5 }, 'payload.ms: expected an integer, got number'],
    ['sleep', { ms: 86_400_001 }, 'payload.ms: must be <= 86400000, got 86400001'],
    ['sleep', {}, 'payload.ms: is required (expected a number)'],
    ['sleep', null, 'payload: expected an object, got null'],
    ['noop', { extra: 1 }, 'payload.extra: unknown key (this payload takes no keys)'],
    [
      'noop',
      { a: 1, 'b c': 2 },
      'payload.a: unknown key (this payload takes no keys); payload["b c"]: unknown key (this payload takes no keys)',
    ],
    ['fail', { times: 0 }, 'payload.times: must be >= 1, got 0'],
    [
      'fail',
      { message: 5, times: 'twice' },
      'payload.message: expected a string, got number; payload.times: expected a number, got string',
    ],
    ['fail', { time: 2 }, 'payload.time: unknown key (allowed keys: message, times)'],
    ['http.request', {}, 'payload.url: is required (expected a string)'],
    ['http.request', { url: 'not a url' }, 'payload.url: expected an http(s) URL, got "not a url"'],
    [
      'http.request',
      { url: 'ftp://example.test/a' },
      'payload.url: expected an http(s) URL, got "ftp://example.test/a"',
    ],
    [
      'http.request',
      { url, method: 'FETCH' },
      'payload.method: expected one of GET, POST, PUT, PATCH, DELETE, HEAD, got "FETCH"',
    ],
    [
      'http.request',
      { url, headers: { 'X-Id': 1 } },
      'payload.headers["X-Id"]: expected a string, got number',
    ],
    [
      'http.request',
      { url, timeoutMs: 300_001 },
      'payload.timeoutMs: must be <= 300000, got 300001',
    ],
    [
      'http.request',
      { url, expectStatus: 'ok' },
      'payload.expectStatus: expected a number or an array, got string',
    ],
    [
      'http.request',
      { url, expectStatus: [200, '204'] },
      'payload.expectStatus[1]: expected a number, got string',
    ],
    ['http.request', { url, expectStatus: [] }, 'payload.expectStatus: must have at least 1 item'],
    ['http.request', { url, expectStatus: 99 }, 'payload.expectStatus: must be >= 100, got 99'],
    ['http.request', { url, body: { a: 1 } }, 'payload.body: is not allowed with method GET'],
    ['fleet.prune-history', { olderThanDays: 0 }, 'payload.olderThanDays: must be > 0, got 0'],
    [
      'fleet.prune-history',
      { olderThanDays: 1e10 },
      'payload.olderThanDays: must be <= 36500, got 10000000000',
    ],
    [
      'fleet.prune-history',
      { olderThanDays: '3' },
      'payload.olderThanDays: expected a number, got string',
    ],
  ])('%s %j → %s', (name, payload, message) => {
    expect(registry.parsePayload(name, payload)).toEqual({ ok: false, message });
  });

  it.each<[string, unknown, unknown]>([
    ['noop', {}, {}],
    ['sleep', { ms: 0 }, { ms: 0 }],
    ['fail', {}, { message: 'requested failure' }],
    ['fail', { message: 'boom', times: 2 }, { message: 'boom', times: 2 }],
    ['http.request', { url }, { url, method: 'GET', timeoutMs: 30_000 }],
    [
      'http.request',
      { url, method: 'POST', body: { a: [1] }, expectStatus: [200, 201] },
      { url, method: 'POST', body: { a: [1] }, expectStatus: [200, 201], timeoutMs: 30_000 },
    ],
    ['fleet.prune-history', {}, { olderThanDays: 30 }],
    ['fleet.prune-history', { olderThanDays: 0.5 }, { olderThanDays: 0.5 }],
  ])('%s accepts %j with defaults applied', (name, payload, expected) => {
    expect(registry.parsePayload(name, payload)).toEqual({ ok: true, payload: expected });
  });
});
