import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * The browser tests start the real stack in-process: workspace packages
 * resolve to their sources through the `@cronfleet/source` export condition
 * (as in /vitest.shared.ts), so no package needs building first except this
 * UI, which global-setup builds when dist/ is missing or stale.
 */
const conditions = ['@cronfleet/source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    environment: 'node',
    include: ['e2e/*.test.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
