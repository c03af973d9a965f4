export * from './define.js';
export * from './registry.js';
export * from './builtins.js';
export * from './http-request.js';
export { formatPath, formatPayloadError, payloadErrorMap } from './issues.js';
