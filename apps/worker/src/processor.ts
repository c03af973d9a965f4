import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { errorMessage, isUuid, type Clock, type Logger } from '@cronfleet/core';
import type { AttemptOutcome, StartRequest } from '@cronfleet/db';
import { NonRetryableError, type HandlerRegistry } from '@cronfleet/handlers';
import type { RunEventPublisher, RunJobData } from '@cronfleet/queue';
import { executeHandler, RunAbort, RunCancelledError } from './execute.js';
import type { Ledger } from './ledger.js';
import type { HandlerSlots } from './slots.js';

/** While Postgres cannot answer the start gate, a job waits this long and tries again (no attempt used). */
export const POSTPONE_MS = 5_000;
/** A job held longer than this waiting for a handler slot passes the start gate again. */
export const REGATE_AFTER_MS = 1_000;
/** A buffered run (overlap buffer_one) checks this often whether the running one has finished. */
export const SERIAL_WAIT_MS = 500;
const MAX_RESULT_CHARS = 64 * 1024;
/** Outcomes a worker may have on their way to Postgres before its jobs wait for them. */
export const MAX_OUTCOME_BACKLOG = 5_000;

export interface ProcessorDeps {
  registry: HandlerRegistry;
  ledger: Ledger;
  logger: Logger;
  clock: Clock;
  workerId: string;
  /** Live events for dashboards (best effort; the ledger is the record). */
  events?: RunEventPublisher;
  /** Running handlers by run id: aborted on cancel messages and at the shutdown bound. */
  active: Map<string, RunAbort>;
  /** Bounds the handlers running at once; the worker may hold more jobs than that. */
  slots: HandlerSlots;
}

/** Keeps stored results bounded: a huge return value is replaced by a note. */
export function boundedResult(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  if (text === undefined) return null;
  return text.length <= MAX_RESULT_CHARS
    ? (JSON.parse(text) as unknown)
    : { truncated: true, bytes: text.length };
}

/**
 * The BullMQ processor: start gate → validate → run with timeout → record.
 * Outcomes are written behind: the job completes in BullMQ as soon as the
 * handler ends, and its outcome goes to Postgres with the next flush. If the
 * worker dies in between, BullMQ still has the outcome, and the scheduler's
 * relay copies it into the ledger.
 * Errors that must not retry (unknown handler, invalid payload) are thrown as
 * UnrecoverableError; every other failure retries with our backoff until the
 * schedule's max_attempts, and the last one marks the run failed.
 */
export function createProcessor(deps: ProcessorDeps) {
  // Two parameters on purpose: BullMQ makes an AbortController for every job
  // whose processor takes a third (its signal), and cronfleet cancels runs
  // over its own control channel instead.
  return async (job: Job<RunJobData>, token?: string): Promise<unknown> => {
    const data = job.data;
    // Not a job cronfleet made (added by hand, or by another program on this
    // queue): no run to record, and its ids must not reach a batched
    // statement, where Postgres would refuse the whole batch over them.
    if (!isUuid(data?.runId) || !isUuid(data.scheduleId)) {
      const message = `job ${job.id ?? '?'} is not a cronfleet run: its data needs runId and scheduleId UUIDs`;
      deps.logger.error({ jobId: job.id, jobName: job.name }, message);
      throw new UnrecoverableError(message);
    }
    const attempt = job.attemptsMade + 1;
    const maxAttempts = job.opts.attempts ?? 1;
    // The run's child logger is built when something logs: pino serializes
    // its bindings up front, and a healthy run below `info` logs nothing.
    let runLog: Logger | undefined;
    const log = () =>
      (runLog ??= deps.logger.child({
        runId: data.runId,
        scheduleKey: data.scheduleKey,
        handler: data.handler,
        attempt,
      }));
    const serial = data.overlapPolicy === 'buffer_one';
    const request: StartRequest = {
      runId: data.runId,
      scheduleId: data.scheduleId,
      attempt,
      workerId: deps.workerId,
      startedAt: deps.clock.now(),
      serial,
    };

    const postpone = async (ms: number): Promise<never> => {
      await job.moveToDelayed(Date.now() + ms, token);
      throw new DelayedError();
    };
    const gateDown = (err: unknown) => {
      log().warn(
        { err, retryInMs: POSTPONE_MS },
        'Postgres unavailable for the start gate; postponing the job',
      );
      return postpone(POSTPONE_MS);
    };
    const refused = () => {
      log().info('run is finished, cancelled or unknown; not running it again');
      return { skipped: 'run is not startable' };
    };
    const stopping = () => {
      log().debug('worker stopping; the job goes back to the queue for another worker');
      return postpone(0);
    };

    let holding = false;
    /**
     * Waits for a slot that was not free, and starts the run's clock when it
     * comes. Returns how long the job waited, or undefined when the worker
     * began stopping meanwhile.
     */
    const waitForSlot = async (slot: Promise<boolean>): Promise<number | undefined> => {
      const since = deps.clock.now().getTime();
      holding = await slot;
      // A slot handed on just before the worker began stopping goes back too.
      if (!holding || deps.slots.closed) return undefined;
      request.startedAt = deps.clock.now();
      return request.startedAt.getTime() - since;
    };

    // A serial run's gate marks it running, so it takes its slot first; any
    // other run passes the gate while the handlers before it still run.
    if (serial) {
      const slot = deps.slots.take();
      if (slot !== true && (await waitForSlot(slot)) === undefined) return stopping();
      holding = true;
    }
    const abort = new RunAbort();
    try {
      return await runJob();
    } finally {
      if (holding) deps.slots.give();
      if (deps.active.get(data.runId) === abort) deps.active.delete(data.runId);
    }

    async function runJob(): Promise<unknown> {
      let verdict: Awaited<ReturnType<Ledger['start']>>;
      try {
        verdict = await deps.ledger.start(request);
      } catch (err) {
        return gateDown(err);
      }
      if (verdict === 'busy') {
        log().debug('another run of this schedule is running; this one waits behind it');
        return postpone(SERIAL_WAIT_MS);
      }
      if (verdict === 'refused') return refused();

      const event = () => ({
        scheduleKey: data.scheduleKey,
        group: data.group ?? null,
        runId: data.runId,
        attempt,
      });
      const record = async (
        outcome: AttemptOutcome,
        fields: { result?: unknown; error?: string },
      ) => {
        const finishedAt = deps.clock.now();
        const recorded = deps.ledger.finish({
          runId: data.runId,
          scheduleId: data.scheduleId,
          attempt,
          workerId: deps.workerId,
          outcome,
          finishedAt,
          durationMs: finishedAt.getTime() - request.startedAt.getTime(),
          ...fields,
        });
        const events = deps.events;
        // The live event follows the write, so a dashboard that reloads on it sees the outcome.
        const announced = events?.wanted()
          ? recorded
              .then(() => {
                const at = finishedAt.toISOString();
                events.publish({
                  type: 'run.finished',
                  status: outcome,
                  result: fields.result,
                  error: fields.error ?? null,
                  finishedAt: at,
                  at,
                  ...event(),
                });
              })
              .catch((err: unknown) => log().warn({ err }, 'could not announce the run outcome'))
          : recorded;
        // Write-behind: the job completes in BullMQ while its outcome joins the
        // next flush. A serial run waits, so the run queued behind it finds the
        // schedule free; so does every job while the backlog is long.
        if (serial || deps.ledger.backlog() > MAX_OUTCOME_BACKLOG) await announced;
      };

      const fail = async (message: string): Promise<never> => {
        log().error({ error: message }, 'run failed without retry');
        await record('failed', { error: message });
        throw new UnrecoverableError(message);
      };

      const def = deps.registry.get(data.handler);
      if (!def) {
        return fail(
          `unknown handler "${data.handler}"; registered handlers: ${deps.registry.names().join(', ')}`,
        );
      }
      const parsed = deps.registry.parsePayload(data.handler, data.payload);
      if (!parsed.ok)
        return fail(`invalid payload for handler "${data.handler}": ${parsed.message}`);

      // Registered before the wait for a slot: a run cancelled while it waits
      // ends as cancelled without its handler being called.
      deps.active.set(data.runId, abort);
      if (!holding) {
        const slot = deps.slots.take();
        if (slot !== true) {
          const waited = await waitForSlot(slot);
          if (waited === undefined) return stopping();
          // Held behind long handlers, the gate's answer may have gone stale
          // (the run cancelled, its schedule removed): ask again.
          if (waited > REGATE_AFTER_MS) {
            try {
              if ((await deps.ledger.start(request)) !== 'started') return refused();
            } catch (err) {
              return gateDown(err);
            }
            // The worker may have begun stopping while the gate answered.
            if (deps.slots.closed) return stopping();
          }
        }
        holding = true;
        // This worker recorded the run's final outcome while the job waited.
        if (!abort.isAborted && !deps.ledger.running(request)) return refused();
      }
      // A run cancelled while it waited ends as cancelled below, neither
      // marked running nor shown as started.
      if (!abort.isAborted && deps.events?.wanted())
        deps.events.publish({
          type: 'run.started',
          status: 'running',
          at: request.startedAt.toISOString(),
          ...event(),
        });

      try {
        const value = await executeHandler(
          def,
          parsed.payload,
          {
            runId: data.runId,
            scheduleKey: data.scheduleKey,
            scheduledFor: new Date(data.scheduledFor),
            attempt,
            logger: log,
          },
          {
            timeoutMs: data.timeoutMs ?? def.timeoutMs,
            abort,
          },
        );
        const result = boundedResult(value);
        await record('succeeded', { result });
        if (deps.logger.isLevelEnabled('info'))
          log().info(
            { durationMs: deps.clock.now().getTime() - request.startedAt.getTime() },
            'run succeeded',
          );
        return result;
      } catch (err) {
        if (err instanceof RunCancelledError) {
          await record('cancelled', { error: err.message });
          log().info('run cancelled while running');
          throw new UnrecoverableError(err.message);
        }
        const permanent = err instanceof UnrecoverableError || err instanceof NonRetryableError;
        const final = permanent || attempt >= maxAttempts;
        const message = errorMessage(err);
        await record(final ? 'failed' : 'retrying', { error: message });
        if (final) log().error({ err }, 'run failed');
        else
          log().warn(
            { error: message, attemptsLeft: maxAttempts - attempt },
            'attempt failed; will retry',
          );
        // BullMQ skips the remaining attempts only for its own error type.
        throw permanent && !(err instanceof UnrecoverableError)
          ? new UnrecoverableError(message)
          : err;
      }
    }
  };
}
