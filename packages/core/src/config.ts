/**
 * Configuration from environment variables: the one module that reads process.env.
 * Apps extend `baseEnvSchema` with their own variables (built with `envHelpers`)
 * and call `loadConfig(schema)` once at startup.
 */
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors.js';

/** A variable read as an optional string and turned into a T (or the default when unset). */
export type EnvVar<T> = z.ZodPipe<
  z.ZodOptional<z.ZodString>,
  z.ZodTransform<T, string | undefined>
>;

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Build a variable from a parser of its trimmed text; unset (or empty) means `def`, or an error if there is none. */
function envVar<T>(def: T | undefined, parse: (text: string) => Parsed<T>): EnvVar<T> {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T => {
      if (raw === undefined || raw.trim() === '') {
        if (def !== undefined) return def;
        ctx.addIssue({ code: 'custom', message: 'is required but not set' });
        return z.NEVER;
      }
      const result = parse(raw.trim());
      if (result.ok) return result.value;
      ctx.addIssue({ code: 'custom', message: result.message });
      return z.NEVER;
    });
}

function integerVar(
  def: number | undefined,
  min: number,
  max: number,
  hint: string,
): EnvVar<number> {
  return envVar(def, (text) => {
    const value = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
    return Number.isSafeInteger(value) && value >= min && value <= max
      ? { ok: true, value }
      : { ok: false, message: hint };
  });
}

function urlVar(
  def: string | undefined,
  protocols: readonly string[],
  hint: string,
): EnvVar<string> {
  return envVar(def, (text) => {
    try {
      if (protocols.includes(new URL(text).protocol)) return { ok: true, value: text };
    } catch {
      // not a URL at all: same message
    }
    return { ok: false, message: hint };
  });
}

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

/** Builders for environment variables: each coerces from text and explains a bad value. */
export const envHelpers = {
  /** A TCP port, 0–65535; 0 asks the OS for a free port. */
  port(defaultPort: number): EnvVar<number> {
    return integerVar(
      defaultPort,
      0,
      65_535,
      'must be a port number from 0 to 65535 (0 picks a free port)',
    );
  },
  /** A whole number in [min, max] (min defaults to 1). */
  positiveInt(def: number, min = 1, max = Number.MAX_SAFE_INTEGER): EnvVar<number> {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    return integerVar(def, min, max, `must be a whole number ${range}`);
  },
  /** true/false, 1/0, yes/no or on/off, in any letter case. */
  boolean(def: boolean): EnvVar<boolean> {
    return envVar(def, (text) => {
      const word = text.toLowerCase();
      if (TRUE_WORDS.includes(word)) return { ok: true, value: true };
      if (FALSE_WORDS.includes(word)) return { ok: true, value: false };
      return { ok: false, message: 'must be true or false (also accepted: 1/0, yes/no, on/off)' };
    });
  },
  /** One of a fixed set of words, matched without regard to letter case. */
  oneOf<const T extends readonly [string, ...string[]]>(
    values: T,
    def?: T[number],
  ): EnvVar<T[number]> {
    return envVar(def, (text) => {
      const word = values.find((value) => value.toLowerCase() === text.toLowerCase());
      return word === undefined
        ? { ok: false, message: `must be one of: ${values.join(', ')}` }
        : { ok: true, value: word };
    });
  },
  /** Any non-empty text (surrounding spaces trimmed); required when there is no default. */
  string(def?: string): EnvVar<string> {
    return envVar(def, (text) => ({ ok: true, value: text }));
  },
  /** A URL whose scheme is one of `protocols` (written with the colon, e.g. 'https:'). */
  url(def: string | undefined, protocols: readonly string[], example: string): EnvVar<string> {
    const schemes = protocols.map((protocol) => `${protocol}//`).join(' or ');
    return urlVar(def, protocols, `must be a ${schemes} URL, e.g. ${example}`);
  },
};

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Variables every cronfleet process reads. */
export const baseEnvSchema = z.object({
  DATABASE_URL: urlVar(
    'postgres://postgres@127.0.0.1:5432/cronfleet',
    ['postgres:', 'postgresql:'],
    'must be a postgres:// URL, e.g. postgres://user@host:5432/cronfleet',
  ),
  REDIS_URL: urlVar(
    'redis://127.0.0.1:6379',
    ['redis:', 'rediss:'],
    'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
  ),
  QUEUE_PREFIX: envVar('cronfleet', (text) =>
    /^[^\s:]{1,64}$/.test(text)
      ? { ok: true, value: text }
      : { ok: false, message: 'must be 1 to 64 characters without ":" or spaces, e.g. cronfleet' },
  ),
  LOG_LEVEL: envHelpers.oneOf(LOG_LEVELS, 'info'),
  LOG_FORMAT: envHelpers.oneOf(['json', 'pretty'], 'json'),
});

export type BaseEnv = z.infer<typeof baseEnvSchema>;

const SECRET_NAME = /PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL/i;
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/i;
const MAX_SHOWN = 120;

/** How a bad value is quoted back: URL passwords masked, secret-looking variables not shown at all. */
function shownValue(variable: string, raw: string): string {
  if (SECRET_NAME.test(variable)) return `(got ${raw.length} characters, not shown)`;
  const masked = raw.replace(URL_PASSWORD, '$1***@');
  const clipped = masked.length > MAX_SHOWN ? `${masked.slice(0, MAX_SHOWN)}…` : masked;
  return `(got ${JSON.stringify(clipped)})`;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  input: Record<string, string | undefined>,
): ConfigIssue {
  const key = issue.path[0];
  const variable = typeof key === 'string' ? key : '(environment)';
  const raw = input[variable];
  if (raw === undefined) {
    const message = issue.code === 'invalid_type' ? 'is required but not set' : issue.message;
    return { variable, message };
  }
  return { variable, message: `${issue.message} ${shownValue(variable, raw)}` };
}

/**
 * Parse the environment (default: process.env) with `schema`. Empty values count as
 * unset. Throws ConfigError listing every bad variable, one per line.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    input[key] = value === undefined || value.trim() === '' ? undefined : value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => describeIssue(issue, input)));
}

/**
 * The environment for a child process (e.g. `fleet start` spawning the apps): this
 * process's environment with `overrides` on top; an undefined override removes a variable.
 */
export function childEnvironment(
  overrides: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}
