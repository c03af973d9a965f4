/**
 * The dashboard serves the built UI from dist/, so the browser tests need a
 * build no older than the sources: build once here when dist/index.html is
 * missing or older than anything it is built from.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export default async function setup(): Promise<void> {
  const built = join(root, 'dist', 'index.html');
  const inputs = ['src', 'index.html', 'vite.config.ts'].map((p) => join(root, p));
  const sources = Math.max(...inputs.filter((p) => existsSync(p)).map(newestMtime));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  console.log('[e2e] building the UI (dist/ is missing or older than src/)');
  await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
}
