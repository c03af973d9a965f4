/**
 * Logger factory (pino). JSON lines by default; `format: 'pretty'` renders
 * human-readable lines through pino-pretty as a synchronous stream in this
 * thread (no worker-thread transport), so nothing is lost on exit and tests can
 * capture the output. Bind context with child loggers:
 * `logger.child({ scheduleKey, runId })`.
 */
import { hostname } from 'node:os';
import { pino, stdSerializers, type DestinationStream, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';

export type Logger = PinoLogger;

export interface LoggerOptions {
  /** Component name, e.g. 'scheduler'; present on every line. */
  name: string;
  /** fatal | error | warn | info | debug | trace | silent; defaults to 'info'. */
  level?: string;
  format?: 'json' | 'pretty';
  /** Fields bound to every line (in addition to pid and hostname). */
  base?: Record<string, unknown>;
  /** Where lines go; defaults to stdout. */
  destination?: NodeJS.WritableStream;
}

function prettyStream(destination: NodeJS.WritableStream | undefined): DestinationStream {
  return pretty({
    sync: true,
    destination: destination ?? 1,
    colorize: destination === undefined ? pretty.isColorSupported : false,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    // Bound context (scheduleKey, runId, workerId…) stays on the message's line.
    singleLine: true,
  });
}

export function createLogger(opts: LoggerOptions): Logger {
  const format = opts.format ?? 'json';
  const options = {
    name: opts.name,
    level: opts.level ?? 'info',
    base: { pid: process.pid, hostname: hostname(), ...opts.base },
    serializers: { err: stdSerializers.err, error: stdSerializers.err },
  };
  if (format === 'pretty') return pino(options, prettyStream(opts.destination));
  if (opts.destination) return pino(options, opts.destination as DestinationStream);
  return pino(options);
}
