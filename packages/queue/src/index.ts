export * from './connection.js';
export * from './jobs.js';
export * from './run-queue.js';
