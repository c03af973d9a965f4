import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequestHandler, type HttpRequestPayload } from './http-request.js';
import { testContext } from './test/context.js';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  switch (req.url) {
    case '/hello':
      res.writeHead(200, { 'content-type': 'text/plain' }).end('hello world');
      return;
    case '/echo':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          method: req.method,
          contentType: req.headers['content-type'] ?? null,
          body,
        }),
      );
      return;
    case '/big':
      res.writeHead(200).end('x'.repeat(10_000));
      return;
    case '/teapot':
      res.writeHead(418).end(`I'm a teapot ${'.'.repeat(1_000)}`);
      return;
    case '/created':
      res.writeHead(201).end();
      return;
    case '/slow':
      return; // never answers; the client must give up
    default:
      res.writeHead(404).end('not found');
  }
}

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => res.destroy(err as Error));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

function run(payload: Partial<HttpRequestPayload> & { url: string }, signal?: AbortSignal) {
  const parsed = httpRequestHandler.payload.parse(payload);
  return httpRequestHandler.run(parsed, testContext(signal ? { signal } : {}));
}

describe('http.request', () => {
  it('GETs a 200 and returns status, duration and body', async () => {
    const result = await run({ url: `${base}/hello` });
    expect(result).toEqual({
      status: 200,
      durationMs: expect.any(Number) as number,
      body: 'hello world',
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('POSTs a JSON body as application/json', async () => {
    const result = await run({
      url: `${base}/echo`,
      method: 'POST',
      body: { hello: ['world', 1] },
    });
    expect(JSON.parse(result.body)).toEqual({
      method: 'POST',
      contentType: 'application/json',
      body: '{"hello":["world",1]}',
    });
  });

  it('sends a string body as is and keeps a given content-type', async () => {
    const result = await run({
      url: `${base}/echo`,
      method: 'PUT',
      headers: { 'Content-Type': 'text/csv' },
      body: 'a,b\n1,2',
    });
    expect(JSON.parse(result.body)).toEqual({
      method: 'PUT',
      contentType: 'text/csv',
      body: 'a,b\n1,2',
    });
  });

  it('returns only the first 2,000 characters of the body', async () => {
    const result = await run({ url: `${base}/big` });
    expect(result.body).toBe('x'.repeat(2_000));
  });

  it('accepts a status listed in expectStatus', async () => {
    await expect(run({ url: `${base}/teapot`, expectStatus: [200, 418] })).resolves.toMatchObject({
      status: 418,
    });
    await expect(run({ url: `${base}/created`, expectStatus: 201 })).resolves.toMatchObject({
      status: 201,
      body: '',
    });
  });

  it('fails on an unexpected status naming status, method, URL and the start of the body', async () => {
    const body = `I'm a teapot ${'.'.repeat(1_000)}`.slice(0, 500);
    await expect(run({ url: `${base}/teapot` })).rejects.toThrow(
      new Error(`GET ${base}/teapot returned status 418, expected 2xx; body: ${body}`),
    );
    await expect(
      run({ url: `${base}/hello`, method: 'HEAD', expectStatus: [204, 202] }),
    ).rejects.toThrow(
      new Error(`HEAD ${base}/hello returned status 200, expected 204 or 202; body: (empty)`),
    );
  });

  it('gives up on a slow endpoint after its own timeout', async () => {
    await expect(run({ url: `${base}/slow`, timeoutMs: 50 })).rejects.toThrow(
      new Error(`GET ${base}/slow timed out after 50 ms`),
    );
  });

  it('rejects with the run signal’s reason when the run is aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('run timed out after 100 ms');
    const pending = run({ url: `${base}/slow` }, controller.signal);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('explains a connection failure', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    closed.close();
    await once(closed, 'close');
    await expect(run({ url })).rejects.toThrow(
      `GET ${url} failed: fetch failed: connect ECONNREFUSED`,
    );
  });
});
