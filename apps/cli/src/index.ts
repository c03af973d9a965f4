export * from './schedule-file.js';
export * from './commands/sync.js';
