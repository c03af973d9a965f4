import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const lines = (): string[] =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line !== '');
  return { stream, lines };
}

describe('createLogger (json)', () => {
  it('writes one JSON object per line with name, bound context and a serialised err', () => {
    const out = capture();
    const logger = createLogger({
      name: 'scheduler',
      base: { replica: 'r1' },
      destination: out.stream,
    });
    const child = logger.child({ scheduleKey: 'nightly-report', runId: 'run-42' });
    child.error({ err: new TypeError('boom') }, 'run failed');

    const [line] = out.lines();
    const entry = JSON.parse(line ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 50,
      name: 'scheduler',
      replica: 'r1',
      scheduleKey: 'nightly-report',
      runId: 'run-42',
      msg: 'run failed',
      pid: process.pid,
    });
    expect(typeof entry.time).toBe('number');
    expect(typeof entry.hostname).toBe('string');
    expect(entry.err).toMatchObject({ type: 'TypeError', message: 'boom' });
    expect((entry.err as { stack: string }).stack).toContain('TypeError: boom');
  });

  it.each([
    { level: undefined, emitted: ['info', 'warn', 'error'] },
    { level: 'warn', emitted: ['warn', 'error'] },
    { level: 'debug', emitted: ['debug', 'info', 'warn', 'error'] },
    { level: 'silent', emitted: [] },
  ])('level $level emits $emitted', ({ level, emitted }) => {
    const out = capture();
    const logger = createLogger({ name: 'worker', level, destination: out.stream });
    logger.debug('debug');
    logger.info('info');
    logger.warn('warn');
    logger.error('error');
    expect(out.lines().map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(emitted);
  });
});

describe('createLogger (pretty)', () => {
  it('writes readable lines showing the name and bound context', () => {
    const out = capture();
    const logger = createLogger({ name: 'worker', format: 'pretty', destination: out.stream });
    logger.child({ workerId: 'w-7', runId: 'run-9' }).warn('handler slow');

    const text = out.lines().join('\n');
    expect(text).toMatch(/WARN.*\(worker\).*handler slow/);
    expect(text).toContain('"workerId":"w-7"');
    expect(text).toContain('"runId":"run-9"');
    expect(text).not.toContain('"pid"');
    expect(() => {
      JSON.parse(out.lines()[0] ?? '');
    }).toThrow(SyntaxError);
  });
});
