import pg from 'pg';
import { Redis } from 'ioredis';

/**
 * Where the real servers for tests come from, in order: an env URL, the
 * local servers every developer and CI machine runs, or containers started
 * by testcontainers when a Docker engine answers.
 */
export interface TestServers {
  /** A URL to the Postgres server's maintenance database (the db name is replaced per test file). */
  postgresAdminUrl: string;
  redisUrl: string;
}

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_REDIS = 'redis://127.0.0.1:6379';

let discovered: Promise<TestServers> | undefined;

export function testServers(): Promise<TestServers> {
  discovered ??= discover();
  return discovered;
}

async function discover(): Promise<TestServers> {
  const [postgresAdminUrl, redisUrl] = await Promise.all([findPostgres(), findRedis()]);
  return { postgresAdminUrl, redisUrl };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

async function findPostgres(): Promise<string> {
  const fromEnv = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (fromEnv) {
    const admin = withDatabase(fromEnv, 'postgres');
    if (await postgresAnswers(admin)) return admin;
    throw new Error(
      `Postgres for tests does not answer at ${redact(admin)} (from TEST_DATABASE_URL/DATABASE_URL). Start it, or unset the variable to use ${LOCAL_POSTGRES}.`,
    );
  }
  if (await postgresAnswers(LOCAL_POSTGRES)) return LOCAL_POSTGRES;
  const container = await startContainer('postgres');
  if (container) return container;
  throw new Error(
    'No Postgres for tests. Provide one of: TEST_DATABASE_URL=postgres://user@host:5432/postgres; ' +
      `a local server at ${LOCAL_POSTGRES} (e.g. pg_ctlcluster --skip-systemctl-redirect <version> main start); ` +
      'or a running Docker engine, so testcontainers can start postgres:15.',
  );
}

async function findRedis(): Promise<string> {
  const fromEnv = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL;
  if (fromEnv) {
    if (await redisAnswers(fromEnv)) return fromEnv;
    throw new Error(
      `Redis for tests does not answer at ${redact(fromEnv)} (from TEST_REDIS_URL/REDIS_URL). Start it, or unset the variable to use ${LOCAL_REDIS}.`,
    );
  }
  if (await redisAnswers(LOCAL_REDIS)) return LOCAL_REDIS;
  const container = await startContainer('redis');
  if (container) return container;
  throw new Error(
    'No Redis for tests. Provide one of: TEST_REDIS_URL=redis://host:6379; ' +
      `a local server at ${LOCAL_REDIS} (e.g. redis-server --daemonize yes --port 6379); ` +
      'or a running Docker engine, so testcontainers can start redis:7.',
  );
}

/** Starts a container only when a Docker engine answers; resolves undefined otherwise. */
async function startContainer(kind: 'postgres' | 'redis'): Promise<string | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
  } catch {
    return undefined;
  }
  if (kind === 'postgres') {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const started = await new PostgreSqlContainer('postgres:15-alpine').start();
    return withDatabase(started.getConnectionUri(), 'postgres');
  }
  const { RedisContainer } = await import('@testcontainers/redis');
  const started = await new RedisContainer('redis:7-alpine').start();
  return started.getConnectionUrl();
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
