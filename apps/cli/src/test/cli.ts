import { execFile } from 'node:child_process';
import type { TestEnv } from '@cronfleet/testing';
import { expect } from 'vitest';
import { MAIN } from './build.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Fleet = (...args: string[]) => Promise<CliResult>;

/** Runs the built `fleet` against the test's database, Redis and queue prefix. */
export function fleetFor(env: TestEnv, overrides: Record<string, string> = {}): Fleet {
  const childEnv = {
    ...process.env,
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    QUEUE_PREFIX: env.queuePrefix,
    LOG_LEVEL: 'info',
    NO_COLOR: '1',
    ...overrides,
  };
  return (...args) =>
    new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [MAIN, ...args],
        { env: childEnv, timeout: 20_000, encoding: 'utf8' },
        (err, stdout, stderr) => {
          if (err && (err.killed || typeof err.code !== 'number')) {
            reject(new Error(`fleet ${args.join(' ')} did not finish: ${err.message}\n${stderr}`));
            return;
          }
          resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
        },
      );
    });
}

/** Runs a command that must succeed quietly, and parses its one JSON document. */
export async function fleetJson<T = Record<string, unknown>>(
  fleet: Fleet,
  ...args: string[]
): Promise<T> {
  const result = await fleet(...args, '--json');
  expect(result, `fleet ${args.join(' ')}`).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(result.stdout) as T;
}

/** A command that must fail with this exit code and one `fleet: …` line on stderr, nothing on stdout. */
export async function expectFailure(
  fleet: Fleet,
  args: string[],
  code: 1 | 2,
  message: string | RegExp,
): Promise<string> {
  const result = await fleet(...args);
  expect(result.code, `exit code of fleet ${args.join(' ')}`).toBe(code);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^fleet: /);
  expect(lines[0]).toMatch(message);
  return lines[0] ?? '';
}
