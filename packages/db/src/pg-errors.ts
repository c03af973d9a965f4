/**
 * What a failed statement's SQLSTATE says about trying again. Drizzle wraps
 * the driver's error, so the code is looked for on its cause too.
 */
export function pgErrorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 3; depth++) {
    if ('code' in e && typeof e.code === 'string') return e.code;
    e = 'cause' in e ? e.cause : undefined;
  }
  return undefined;
}

/**
 * Postgres refused a value or a constraint (SQLSTATE classes 22 and 23): the
 * statement fails again as long as the same rows are in it, whereas a lost
 * connection or a timeout is worth retrying as it was.
 */
export function refusedData(err: unknown): boolean {
  const code = pgErrorCode(err);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}

/**
 * Postgres ended the transaction to break a deadlock or a serialization
 * conflict (40P01, 40001): running it again from the start is expected to work.
 */
export function transientConflict(err: unknown): boolean {
  const code = pgErrorCode(err);
  return code === '40P01' || code === '40001';
}

/**
 * Runs `attempt` again, up to `times` in all, when Postgres ends it to break
 * a deadlock or a serialization conflict. `attempt` must be one transaction
 * (or one statement), so nothing of a failed try is left behind.
 */
export async function retryOnConflict<T>(
  attempt: () => Promise<T>,
  opts: { times?: number; onRetry?: (tries: number, err: unknown) => void } = {},
): Promise<T> {
  const times = opts.times ?? 3;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (err) {
      if (tries >= times || !transientConflict(err)) throw err;
      opts.onRetry?.(tries, err);
    }
  }
}
