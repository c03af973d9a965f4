/**
 * The one access check, run before every route (and before 404s, so unknown
 * paths reveal nothing): authentication, role, CSRF.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator, Principal } from './auth.js';
import { sendError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking; null on public routes without credentials. */
    principal: Principal | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const PUBLIC_ROUTES = new Set([
  'GET /healthz',
  'HEAD /healthz',
  'GET /readyz',
  'HEAD /readyz',
  'GET /login',
  'HEAD /login',
  'POST /login',
  'POST /logout',
]);
/** POSTs that change nothing, so viewers may send them. */
const READ_ONLY_POSTS = new Set(['/api/preview']);
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export const pathOf = (url: string): string => url.split('?', 1)[0] ?? url;
export const isSafeMethod = (method: string): boolean => SAFE_METHODS.has(method);

/** A browser asking for a page (sent to /login when signed out) rather than a script asking for data. */
function wantsPage(request: FastifyRequest, path: string): boolean {
  return (
    (request.method === 'GET' || request.method === 'HEAD') &&
    !path.startsWith('/api') &&
    (request.headers.accept ?? '').includes('text/html')
  );
}

function hostnameOf(host: string | undefined): string {
  if (!host) return '';
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.split(':', 1)[0] ?? '';
}

/**
 * Without tokens anyone who reaches the port is an operator, so the port is
 * on loopback; these checks keep web pages the operator visits out too: a
 * rebound DNS name (Host not loopback) or a cross-site form or fetch (Origin).
 */
function openModeRefusal(request: FastifyRequest): string | undefined {
  if (!LOOPBACK.has(hostnameOf(request.headers.host).toLowerCase())) {
    return 'without DASHBOARD_TOKEN the dashboard answers only requests addressed to localhost';
  }
  if (isSafeMethod(request.method)) return undefined;
  const origin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  let crossOrigin = site === 'cross-site' || site === 'same-site';
  if (origin !== undefined) {
    try {
      const from = new URL(origin);
      // Parsed alike, so a default port written in Host (localhost:80) compares equal.
      crossOrigin ||= from.host !== new URL(`${from.protocol}//${request.headers.host}`).host;
    } catch {
      crossOrigin = true;
    }
  }
  return crossOrigin ? 'cross-origin requests may not change anything' : undefined;
}

async function deny(request: FastifyRequest, reply: FastifyReply, problem?: string) {
  const path = pathOf(request.url);
  if (wantsPage(request, path)) {
    return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 302);
  }
  return sendError(reply.header('www-authenticate', 'Bearer realm="cronfleet"'), 401, {
    error: 'unauthorized',
    message: `${problem ?? 'no credentials'}: send Authorization: Bearer <token>, or sign in at /login`,
  });
}

export function installGuard(app: FastifyInstance, auth: Authenticator): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request, reply) => {
    if (auth.open) {
      const refusal = openModeRefusal(request);
      if (refusal) return sendError(reply, 403, { error: 'forbidden', message: refusal });
    }
    const { principal, problem } = auth.resolve(request.raw);
    request.principal = principal;
    const path = pathOf(request.url);
    if (PUBLIC_ROUTES.has(`${request.method} ${path}`)) return;
    if (!principal) return deny(request, reply, problem);
    if (isSafeMethod(request.method)) return;
    if (principal.role !== 'operator' && !READ_ONLY_POSTS.has(path)) {
      return sendError(reply, 403, {
        error: 'forbidden',
        message: 'viewers have read-only access; this needs the operator token',
      });
    }
    if (principal.via === 'cookie' && !auth.csrfMatches(request.headers, principal)) {
      return sendError(reply, 403, {
        error: 'forbidden',
        message:
          'missing or wrong CSRF token: send the X-CSRF-Token header with the csrfToken from GET /api/session',
      });
    }
  });
}
