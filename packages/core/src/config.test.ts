import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseEnvSchema, childEnvironment, envHelpers, loadConfig } from './config.js';
import { ConfigError } from './errors.js';

const DEFAULTS = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/cronfleet',
  REDIS_URL: 'redis://127.0.0.1:6379',
  QUEUE_PREFIX: 'cronfleet',
  LOG_LEVEL: 'info',
  LOG_FORMAT: 'json',
};

function configError(act: () => unknown): ConfigError {
  try {
    act();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig(baseEnvSchema)', () => {
  it.each([
    { name: 'all defaults', env: {}, expected: DEFAULTS },
    {
      name: 'empty strings count as unset',
      env: { DATABASE_URL: '', REDIS_URL: '  ', LOG_LEVEL: '' },
      expected: DEFAULTS,
    },
    {
      name: 'overrides',
      env: {
        DATABASE_URL: 'postgresql://app:pw@db.internal:6432/fleet',
        REDIS_URL: 'rediss://cache.internal:6380/2',
        QUEUE_PREFIX: 'fleet-test_1',
        LOG_LEVEL: 'DEBUG',
        LOG_FORMAT: 'pretty',
        UNRELATED: 'ignored',
      },
      expected: {
        DATABASE_URL: 'postgresql://app:pw@db.internal:6432/fleet',
        REDIS_URL: 'rediss://cache.internal:6380/2',
        QUEUE_PREFIX: 'fleet-test_1',
        LOG_LEVEL: 'debug',
        LOG_FORMAT: 'pretty',
      },
    },
    {
      name: 'values are trimmed',
      env: { QUEUE_PREFIX: ' jobs ', LOG_LEVEL: ' warn' },
      expected: { ...DEFAULTS, QUEUE_PREFIX: 'jobs', LOG_LEVEL: 'warn' },
    },
  ])('$name', ({ env, expected }) => {
    expect(loadConfig(baseEnvSchema, env)).toEqual(expected);
  });

  it('reads process.env when no env is given', () => {
    const saved = process.env.QUEUE_PREFIX;
    process.env.QUEUE_PREFIX = 'from-process-env';
    try {
      expect(loadConfig(baseEnvSchema).QUEUE_PREFIX).toBe('from-process-env');
    } finally {
      if (saved === undefined) delete process.env.QUEUE_PREFIX;
      else process.env.QUEUE_PREFIX = saved;
    }
  });

  it.each([
    {
      variable: 'DATABASE_URL',
      value: 'mysql://x',
      line: 'DATABASE_URL: must be a postgres:// URL, e.g. postgres://user@host:5432/cronfleet (got "mysql://x")',
    },
    {
      variable: 'DATABASE_URL',
      value: 'not a url',
      line: 'DATABASE_URL: must be a postgres:// URL, e.g. postgres://user@host:5432/cronfleet (got "not a url")',
    },
    {
      variable: 'DATABASE_URL',
      value: 'mysql://admin:hunter2@db/app',
      line: 'DATABASE_URL: must be a postgres:// URL, e.g. postgres://user@host:5432/cronfleet (got "mysql://admin:***@db/app")',
    },
    {
      variable: 'REDIS_URL',
      value: 'http://cache:6379',
      line: 'REDIS_URL: must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379 (got "http://cache:6379")',
    },
    {
      variable: 'QUEUE_PREFIX',
      value: 'a:b',
      line: 'QUEUE_PREFIX: must be 1 to 64 characters without ":" or spaces, e.g. cronfleet (got "a:b")',
    },
    {
      variable: 'QUEUE_PREFIX',
      value: 'two words',
      line: 'QUEUE_PREFIX: must be 1 to 64 characters without ":" or spaces, e.g. cronfleet (got "two words")',
    },
    {
      variable: 'QUEUE_PREFIX',
      value: 'x'.repeat(65),
      line: `QUEUE_PREFIX: must be 1 to 64 characters without ":" or spaces, e.g. cronfleet (got "${'x'.repeat(65)}")`,
    },
    {
      variable: 'LOG_LEVEL',
      value: 'verbose',
      line: 'LOG_LEVEL: must be one of: fatal, error, warn, info, debug, trace, silent (got "verbose")',
    },
    {
      variable: 'LOG_FORMAT',
      value: 'xml',
      line: 'LOG_FORMAT: must be one of: json, pretty (got "xml")',
    },
  ])('$variable=$value is explained', ({ variable, value, line }) => {
    const error = configError(() => loadConfig(baseEnvSchema, { [variable]: value }));
    expect(error.code).toBe('invalid_config');
    expect(error.issues).toHaveLength(1);
    expect(error.message.split('\n')).toContain(line);
    expect(error.message).not.toContain('hunter2');
  });

  it('lists every bad variable together, one per line', () => {
    const error = configError(() =>
      loadConfig(baseEnvSchema, {
        DATABASE_URL: 'mysql://x',
        REDIS_URL: 'nope',
        LOG_FORMAT: 'xml',
      }),
    );
    expect(error.issues.map((issue) => issue.variable)).toEqual([
      'DATABASE_URL',
      'REDIS_URL',
      'LOG_FORMAT',
    ]);
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).map((line) => line.split(':')[0])).toEqual([
      'DATABASE_URL',
      'REDIS_URL',
      'LOG_FORMAT',
    ]);
  });
});

describe('envHelpers in an app schema', () => {
  const schema = baseEnvSchema.extend({
    PORT: envHelpers.port(3000),
    BATCH_SIZE: envHelpers.positiveInt(100, 1, 1000),
    POLL_MS: envHelpers.positiveInt(1000),
    SYNC: envHelpers.boolean(false),
    MODE: envHelpers.oneOf(['fast', 'safe'], 'safe'),
    API_TOKEN: envHelpers.string(),
    WEBHOOK_URL: envHelpers.url(
      'https://example.test/hook',
      ['https:'],
      'https://hooks.example.com/x',
    ),
  });
  const required = { API_TOKEN: 'tok' };

  it.each([
    { env: {}, key: 'PORT', value: 3000 },
    { env: { PORT: '8080' }, key: 'PORT', value: 8080 },
    { env: { PORT: '0' }, key: 'PORT', value: 0 },
    { env: { PORT: '65535' }, key: 'PORT', value: 65535 },
    { env: { BATCH_SIZE: '' }, key: 'BATCH_SIZE', value: 100 },
    { env: { BATCH_SIZE: '1000' }, key: 'BATCH_SIZE', value: 1000 },
    { env: { POLL_MS: '+250' }, key: 'POLL_MS', value: 250 },
    { env: { SYNC: 'TRUE' }, key: 'SYNC', value: true },
    { env: { SYNC: 'yes' }, key: 'SYNC', value: true },
    { env: { SYNC: '0' }, key: 'SYNC', value: false },
    { env: { MODE: 'FAST' }, key: 'MODE', value: 'fast' },
    { env: { API_TOKEN: ' abc ' }, key: 'API_TOKEN', value: 'abc' },
    { env: {}, key: 'WEBHOOK_URL', value: 'https://example.test/hook' },
  ])('$key from $env → $value', ({ env, key, value }) => {
    const config: Record<string, unknown> = loadConfig(schema, { ...required, ...env });
    expect(config[key]).toBe(value);
  });

  it.each([
    {
      env: { PORT: '65536' },
      line: 'PORT: must be a port number from 0 to 65535 (0 picks a free port) (got "65536")',
    },
    {
      env: { PORT: '-1' },
      line: 'PORT: must be a port number from 0 to 65535 (0 picks a free port) (got "-1")',
    },
    {
      env: { PORT: 'http' },
      line: 'PORT: must be a port number from 0 to 65535 (0 picks a free port) (got "http")',
    },
    {
      env: { BATCH_SIZE: '0' },
      line: 'BATCH_SIZE: must be a whole number from 1 to 1000 (got "0")',
    },
    {
      env: { BATCH_SIZE: '2.5' },
      line: 'BATCH_SIZE: must be a whole number from 1 to 1000 (got "2.5")',
    },
    { env: { POLL_MS: '1e3' }, line: 'POLL_MS: must be a whole number at least 1 (got "1e3")' },
    {
      env: { SYNC: 'maybe' },
      line: 'SYNC: must be true or false (also accepted: 1/0, yes/no, on/off) (got "maybe")',
    },
    { env: { MODE: 'turbo' }, line: 'MODE: must be one of: fast, safe (got "turbo")' },
    { env: { API_TOKEN: '' }, line: 'API_TOKEN: is required but not set' },
    {
      env: { API_TOKEN: 'x', WEBHOOK_URL: 'http://insecure' },
      line: 'WEBHOOK_URL: must be a https:// URL, e.g. https://hooks.example.com/x (got "http://insecure")',
    },
  ])('explains $env', ({ env, line }) => {
    const error = configError(() => loadConfig(schema, { ...required, ...env }));
    expect(error.message.split('\n')).toContain(line);
  });

  it('does not echo values of secret-looking variables', () => {
    const secretSchema = z.object({ SIGNING_SECRET: z.string().min(32) });
    const error = configError(() => loadConfig(secretSchema, { SIGNING_SECRET: 'short-secret' }));
    expect(error.message).toMatch(/^SIGNING_SECRET: .* \(got 12 characters, not shown\)$/m);
    expect(error.message).not.toContain('short-secret');
  });

  it('reports plain zod schemas too, with "required" for missing values', () => {
    const error = configError(() => loadConfig(z.object({ REGION: z.string() }), {}));
    expect(error.issues).toEqual([{ variable: 'REGION', message: 'is required but not set' }]);
  });
});

describe('childEnvironment', () => {
  it.each([
    {
      name: 'inherits this process',
      overrides: {},
      key: 'CRONFLEET_TEST_INHERITED',
      value: 'parent',
    },
    {
      name: 'overrides win',
      overrides: { CRONFLEET_TEST_INHERITED: 'child' },
      key: 'CRONFLEET_TEST_INHERITED',
      value: 'child',
    },
    {
      name: 'adds new variables',
      overrides: { LOG_FORMAT: 'pretty' },
      key: 'LOG_FORMAT',
      value: 'pretty',
    },
    {
      name: 'undefined removes',
      overrides: { CRONFLEET_TEST_INHERITED: undefined },
      key: 'CRONFLEET_TEST_INHERITED',
      value: undefined,
    },
  ])('$name', ({ overrides, key, value }) => {
    process.env.CRONFLEET_TEST_INHERITED = 'parent';
    try {
      const env = childEnvironment(overrides);
      expect(env[key]).toBe(value);
      expect(env).not.toBe(process.env);
      expect(process.env.CRONFLEET_TEST_INHERITED).toBe('parent');
    } finally {
      delete process.env.CRONFLEET_TEST_INHERITED;
    }
  });
});
