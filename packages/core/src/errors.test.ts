import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  CronfleetError,
  InvalidScheduleError,
  NotFoundError,
  errorMessage,
} from './errors.js';

describe('error classes', () => {
  it.each([
    { error: new CronfleetError('boom', 'went wrong'), code: 'boom', name: 'CronfleetError' },
    {
      error: new InvalidScheduleError('timezone', 'bad zone'),
      code: 'invalid_schedule',
      name: 'InvalidScheduleError',
    },
    {
      error: new ConfigError([{ variable: 'A', message: 'x' }]),
      code: 'invalid_config',
      name: 'ConfigError',
    },
    { error: new NotFoundError('no schedule "x"'), code: 'not_found', name: 'NotFoundError' },
  ])('$name has code $code and is a CronfleetError', ({ error, code, name }) => {
    expect(error).toBeInstanceOf(CronfleetError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
  });

  it('keeps the field and the cause', () => {
    const cause = new Error('inner');
    const error = new InvalidScheduleError('cronExpression', 'bad', { cause });
    expect(error.field).toBe('cronExpression');
    expect(error.cause).toBe(cause);
  });

  it('lists every config issue on its own line', () => {
    const error = new ConfigError([
      { variable: 'DATABASE_URL', message: 'must be a postgres:// URL' },
      { variable: 'PORT', message: 'must be a port number' },
    ]);
    expect(error.message.split('\n').slice(1)).toEqual([
      'DATABASE_URL: must be a postgres:// URL',
      'PORT: must be a port number',
    ]);
    expect(error.issues).toHaveLength(2);
  });
});

describe('errorMessage', () => {
  const namedFunction = (): void => undefined;
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const hostile = {
    get message(): string {
      throw new Error('no');
    },
  };
  it.each([
    { thrown: new Error('disk full'), expected: 'disk full' },
    { thrown: new TypeError(''), expected: 'TypeError' },
    { thrown: 'plain string', expected: 'plain string' },
    { thrown: { message: 'from an object' }, expected: 'from an object' },
    { thrown: { code: 42 }, expected: '{"code":42}' },
    { thrown: 42, expected: '42' },
    { thrown: null, expected: 'null' },
    { thrown: Symbol('sym'), expected: 'Symbol(sym)' },
    { thrown: 10n, expected: '10' },
    { thrown: namedFunction, expected: 'a function was thrown (namedFunction)' },
    { thrown: undefined, expected: 'unknown error (undefined was thrown)' },
    { thrown: circular, expected: 'unknown error (its message could not be read)' },
    { thrown: hostile, expected: 'unknown error (its message could not be read)' },
  ])('$expected', ({ thrown, expected }) => {
    expect(errorMessage(thrown)).toBe(expected);
  });
});
