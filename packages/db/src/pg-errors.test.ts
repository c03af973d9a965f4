import { describe, expect, it } from 'vitest';
import { pgErrorCode, refusedData, retryOnConflict, transientConflict } from './pg-errors.js';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });
/** As drizzle throws it: its own error, with the driver's as the cause. */
const wrapped = (code: string) => new Error('Failed query: …', { cause: pgError(code) });

describe('Postgres error codes', () => {
  it.each<[string, unknown, string | undefined, boolean, boolean]>([
    ['a deadlock', pgError('40P01'), '40P01', false, true],
    ['a serialization failure, wrapped', wrapped('40001'), '40001', false, true],
    ['a bad value', pgError('22P02'), '22P02', true, false],
    ['a foreign key, wrapped', wrapped('23503'), '23503', true, false],
    ['a lost connection', new Error('Connection terminated unexpectedly'), undefined, false, false],
    [
      'a socket error',
      Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
      'ECONNREFUSED',
      false,
      false,
    ],
    ['not an error', 'boom', undefined, false, false],
  ])('reads %s', (_name, err, code, refused, conflict) => {
    expect(pgErrorCode(err)).toBe(code);
    expect(refusedData(err)).toBe(refused);
    expect(transientConflict(err)).toBe(conflict);
  });

  it.each<[string, string[], boolean, number[]]>([
    ['succeeds after two deadlocks', ['40P01', '40P01'], true, [1, 2]],
    ['gives up after three tries', ['40P01', '40001', '40P01'], false, [1, 2]],
    ['does not retry a refused value', ['23505'], false, []],
  ])('retryOnConflict %s', async (_name, failures, succeeds, retried) => {
    let calls = 0;
    const seen: number[] = [];
    const result = retryOnConflict(
      () => {
        const code = failures[calls++];
        return code ? Promise.reject(pgError(code)) : Promise.resolve('done');
      },
      { onRetry: (tries) => seen.push(tries) },
    );
    if (succeeds) await expect(result).resolves.toBe('done');
    else await expect(result).rejects.toMatchObject({ code: failures[failures.length - 1] });
    expect(seen).toEqual(retried);
    expect(calls).toBe(succeeds ? failures.length + 1 : failures.length);
  });
});
