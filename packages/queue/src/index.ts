export * from './connection.js';
export * from './jobs.js';
export * from './run-queue.js';
export * from './control.js';
export * from './events.js';
