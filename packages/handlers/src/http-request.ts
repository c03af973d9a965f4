import { z } from 'zod';
import { errorMessage } from '@cronfleet/core';
import { defineHandler } from './define.js';
import { show } from './issues.js';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;
const RESULT_BODY_CHARS = 2_000;
const ERROR_BODY_CHARS = 500;

const statusCode = z.int().min(100).max(599);

const httpRequestPayload = z
  .strictObject({
    url: z.url({
      protocol: /^https?$/,
      error: (iss) =>
        iss.code === 'invalid_format'
          ? `expected an http(s) URL, got ${show(iss.input)}`
          : undefined,
    }),
    method: z.enum(HTTP_METHODS).default('GET'),
    headers: z.record(z.string(), z.string()).optional(),
    /** A string is sent as is; any other JSON value is serialised as application/json. */
    body: z.json().optional(),
    /** This request's own limit, on top of the run's signal. */
    timeoutMs: z.int().min(1).max(300_000).default(30_000),
    /** Default: any 2xx. */
    expectStatus: z.union([statusCode, z.array(statusCode).min(1)]).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.body !== undefined && (p.method === 'GET' || p.method === 'HEAD')) {
      ctx.addIssue({
        code: 'custom',
        path: ['body'],
        message: `is not allowed with method ${p.method}`,
      });
    }
  });

export type HttpRequestPayload = z.output<typeof httpRequestPayload>;

function statusMatches(status: number, expect: HttpRequestPayload['expectStatus']): boolean {
  if (expect === undefined) return status >= 200 && status < 300;
  return Array.isArray(expect) ? expect.includes(status) : status === expect;
}

function describeExpected(expect: HttpRequestPayload['expectStatus']): string {
  if (expect === undefined) return '2xx';
  return Array.isArray(expect) ? expect.join(' or ') : String(expect);
}

/** Reads at most `maxChars` characters of the body, then stops the download. */
async function readTextPrefix(res: Response, maxChars: number): Promise<string> {
  if (!res.body) return '';
  // Node's typings leave the chunk type open; fetch bodies are always bytes.
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      text += decoder.decode(value, { stream: true });
      if (text.length >= maxChars) return text.slice(0, maxChars);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function encodeBody(p: HttpRequestPayload): { headers: Headers; body: string | undefined } {
  const headers = new Headers(p.headers);
  if (p.body === undefined || typeof p.body === 'string') return { headers, body: p.body };
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  return { headers, body: JSON.stringify(p.body) };
}

export const httpRequestHandler = defineHandler({
  name: 'http.request',
  description:
    'Sends one HTTP request and fails unless the status is the expected one (default: any 2xx).',
  payload: httpRequestPayload,
  async run(p, ctx) {
    const what = `${p.method} ${p.url}`;
    const ownTimeout = AbortSignal.timeout(p.timeoutMs);
    const signal = AbortSignal.any([ctx.signal, ownTimeout]);
    const { headers, body } = encodeBody(p);
    const started = performance.now();
    let status: number;
    let text: string;
    try {
      const res = await fetch(p.url, { method: p.method, headers, body, signal });
      status = res.status;
      text = await readTextPrefix(
        res,
        statusMatches(status, p.expectStatus) ? RESULT_BODY_CHARS : ERROR_BODY_CHARS,
      );
    } catch (err) {
      // The run's own abort (timeout, cancel, shutdown) keeps its reason.
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (ownTimeout.aborted)
        throw new Error(`${what} timed out after ${p.timeoutMs} ms`, { cause: err });
      const cause =
        err instanceof Error && err.cause !== undefined ? `: ${errorMessage(err.cause)}` : '';
      throw new Error(`${what} failed: ${errorMessage(err)}${cause}`, { cause: err });
    }
    const durationMs = Math.round(performance.now() - started);
    if (!statusMatches(status, p.expectStatus)) {
      throw new Error(
        `${what} returned status ${status}, expected ${describeExpected(p.expectStatus)}; body: ${text || '(empty)'}`,
      );
    }
    return { status, durationMs, body: text };
  },
});
