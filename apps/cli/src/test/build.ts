/**
 * vitest globalSetup: the CLI tests run the built binary, so build it first
 * when dist/main.js is missing or older than any source file. Once, here, so
 * test files running in parallel never race two compilers. Workspace
 * dependencies are built by turbo's `^build` before `test`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const MAIN = join(root, 'dist', 'main.js');

/** The newest mtime of the files the build compiles (tests and src/test are not built). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== join(root, 'src', 'test')) newest = Math.max(newest, newestSource(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

export default function setup(): void {
  const inputs = Math.max(
    newestSource(join(root, 'src')),
    ...['package.json', 'tsconfig.json', 'tsconfig.build.json'].map(
      (f) => statSync(join(root, f)).mtimeMs,
    ),
  );
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= inputs) return;
  try {
    execFileSync('pnpm', ['exec', 'tsc', '-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: 'pipe',
    });
  } catch (err) {
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`building apps/cli failed:\n${out}`);
  }
}
