import { defineProject } from '../../vitest.shared.js';

// The tests run the built binary; globalSetup builds it once when it is stale.
// A test spawns up to a dozen CLI processes in turn, so its safety timeout is
// longer than the default (a bound on hangs, not on speed).
export default defineProject({ globalSetup: ['src/test/build.ts'], testTimeout: 120_000 });
