import { defaultServerConditions } from 'vite';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * Workspace packages export `@cronfleet/source` → src/*.ts so tests run
 * against source without a build; Node itself resolves the built dist files.
 */
const conditions = ['@cronfleet/source', ...defaultServerConditions];

export function defineProject(overrides: ViteUserConfig['test'] = {}) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      include: ['src/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
