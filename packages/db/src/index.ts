export * from './schema.js';
export * from './client.js';
export * from './migrate.js';
export * from './queries/claim.js';
export * from './queries/relay.js';
export * from './queries/ledger.js';
export * from './queries/schedules.js';
export * from './queries/history.js';
