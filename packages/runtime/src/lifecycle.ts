import { withTimeout, type Logger } from '@cronfleet/core';

/**
 * Runs `stop` on the first SIGTERM or SIGINT, bounded by `timeoutMs`; a second
 * signal or the bound running out exits at once. The process exits 0 after a
 * clean stop and 1 otherwise.
 */
export function stopOnSignals(opts: {
  stop: () => Promise<void>;
  timeoutMs: number;
  logger: Logger;
  exit?: (code: number) => void;
}): () => void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      opts.logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    stopping = true;
    opts.logger.info({ signal, timeoutMs: opts.timeoutMs }, 'shutting down');
    withTimeout(opts.stop(), opts.timeoutMs).then(
      (outcome) => {
        if (outcome === 'timeout') {
          opts.logger.error(
            { timeoutMs: opts.timeoutMs },
            'shutdown did not finish in time; exiting',
          );
          exit(1);
        } else {
          opts.logger.info('stopped cleanly');
          exit(0);
        }
      },
      (err: unknown) => {
        opts.logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}

/** For main(): log a start-up failure as one line and exit non-zero, never a bare stack trace. */
export function exitOnStartupError(logger: Logger | undefined, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  if (logger) logger.fatal({ err }, `failed to start: ${message}`);
  else console.error(`failed to start: ${message}`);
  process.exit(1);
}
