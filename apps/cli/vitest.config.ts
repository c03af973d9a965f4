import { defineProject } from '../../vitest.shared.js';

// The tests run the built binary; globalSetup builds it once when it is stale.
export default defineProject({ globalSetup: ['src/test/build.ts'] });
