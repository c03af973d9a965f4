export { createServer, closeServer, BODY_LIMIT_BYTES, type ServerDeps } from './server.js';
export {
  createAuthenticator,
  CSRF_COOKIE,
  CSRF_HEADERS,
  SESSION_COOKIE,
  type AuthOptions,
  type Authenticator,
  type Principal,
  type Role,
} from './auth.js';
export {
  createEventHub,
  eventsChannel,
  runEventSchema,
  type RunEvent,
  type RunEventHub,
  type RunEventListener,
} from './events.js';
export {
  dashboardEnvSchema,
  isOpen,
  listenHost,
  loadDashboardConfig,
  type DashboardConfig,
} from './config.js';
