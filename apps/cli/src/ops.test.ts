import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestEnv, type TestEnv } from '@cronfleet/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure, fleetFor, fleetJson, type Fleet } from './test/cli.js';

let env: TestEnv;
let fleet: Fleet;
let dir: string;
beforeAll(async () => {
  env = await createTestEnv();
  fleet = fleetFor(env);
  dir = await mkdtemp(join(tmpdir(), 'fleet-cli-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  await env?.close();
});

describe('fleet migrate, sync and help', () => {
  it('migrate is idempotent and prints JSON with --json', async () => {
    expect(await fleetJson(fleet, 'migrate')).toEqual({ migrated: true });
  });

  it('sync prints its plan as one JSON document, then applies it', async () => {
    const file = join(dir, 'schedules.yaml');
    await writeFile(
      file,
      'schedules:\n  - key: beat\n    handler: noop\n    intervalSeconds: 10\n  - key: ghost\n    handler: nope\n    intervalSeconds: 10\n',
    );
    const result = await fleet('sync', file, '--json');
    expect(result.code).toBe(0);
    // The skipped entry is logged on stderr; stdout holds only the JSON document.
    expect(result.stderr).toContain('unknown handler "nope"');
    expect(JSON.parse(result.stdout)).toMatchObject({
      plan: { create: ['beat'] },
      skipped: [{ key: 'ghost' }],
      applied: true,
    });
    const listed = await fleetJson<{ total: number }>(fleet, 'schedules', 'list');
    expect(listed.total).toBe(1);
  });

  it('help exits 0 on stdout; no command or a bad component is a usage error', async () => {
    const help = await fleet('schedules', '--help');
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('Usage: fleet schedules');
    for (const name of ['list', 'show', 'create', 'update', 'delete', 'enable', 'disable'])
      expect(help.stdout).toContain(`  ${name} `);
    for (const name of ['pause', 'resume', 'run', 'backfill', 'preview'])
      expect(help.stdout).toContain(`  ${name} `);
    expect((await fleet()).code).toBe(2);
    await expectFailure(fleet, ['start', 'everything'], 2, /'everything' is invalid/);
  });
});
