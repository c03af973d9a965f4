export * from './batcher.js';
export * from './config.js';
export * from './execute.js';
export * from './ledger.js';
export * from './processor.js';
export * from './worker.js';
