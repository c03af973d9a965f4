/** One JSON error shape for every route: `{ error, message, issues? }`. */
import { CronfleetError, InvalidScheduleError } from '@cronfleet/core';
import { ValidationError, type ValidationIssue } from '@cronfleet/service';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

export interface ErrorBody {
  error: string;
  message: string;
  issues?: ValidationIssue[];
}

/** An HTTP answer thrown from a route or hook. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;

  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
  }
}

export const sendError = (reply: FastifyReply, status: number, body: ErrorBody) =>
  reply.code(status).type('application/json; charset=utf-8').send(body);

const isFastifyError = (err: unknown): err is FastifyError =>
  err instanceof Error && typeof (err as Partial<FastifyError>).statusCode === 'number';

/** Status and body for anything thrown; undefined for an unexpected error (a 500). */
export function describeError(err: unknown): { status: number; body: ErrorBody } | undefined {
  if (err instanceof ValidationError) {
    return {
      status: 400,
      body: { error: 'invalid_input', message: err.message, issues: err.issues },
    };
  }
  if (err instanceof InvalidScheduleError) {
    const issues = [{ field: err.field, message: err.message }];
    return { status: 400, body: { error: 'invalid_input', message: err.message, issues } };
  }
  if (err instanceof HttpError) {
    return { status: err.statusCode, body: { error: err.code, message: err.message } };
  }
  if (err instanceof CronfleetError) {
    if (err.code === 'not_found')
      return { status: 404, body: { error: 'not_found', message: err.message } };
    if (err.code === 'conflict')
      return { status: 409, body: { error: 'conflict', message: err.message } };
    return undefined;
  }
  if (isFastifyError(err) && err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    if (err.statusCode === 413) {
      return {
        status: 413,
        body: { error: 'payload_too_large', message: 'the request body is larger than 64 KiB' },
      };
    }
    if (err.statusCode === 415) {
      return {
        status: 415,
        body: { error: 'unsupported_media_type', message: 'send the body as application/json' },
      };
    }
    if (err.statusCode === 400) {
      const issues = [{ field: '(body)', message: err.message }];
      return { status: 400, body: { error: 'invalid_input', message: err.message, issues } };
    }
    return { status: err.statusCode, body: { error: 'bad_request', message: err.message } };
  }
  return undefined;
}

/** Known errors become their status; anything else is logged and answered with a generic 500. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const known = describeError(err);
    if (known) {
      if (known.status >= 500) request.log.error({ err }, 'request failed');
      return sendError(reply, known.status, known.body);
    }
    request.log.error({ err, method: request.method, url: request.url }, 'unexpected error');
    return sendError(reply, 500, {
      error: 'internal',
      message: 'internal server error; the dashboard logged the details',
    });
  });
}
