export * from './config.js';
export * from './planning.js';
export * from './relay.js';
export * from './scheduler.js';
