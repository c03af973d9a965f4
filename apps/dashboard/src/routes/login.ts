/** GET/POST /login, POST /logout, GET /api/session. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CSRF_COOKIE, SESSION_COOKIE, type Authenticator, type Role } from '../auth.js';
import { sendError } from '../errors.js';
import { parseInput } from '../input.js';
import { PAGE_CSP, loginPage, safeNext } from '../pages.js';

const loginQuery = z.object({ next: z.string().optional() });
const loginBody = z.strictObject({
  token: z.string().min(1).max(1_000),
  next: z.string().max(2_000).optional(),
});

const isForm = (request: FastifyRequest) =>
  (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');

const sendPage = (reply: FastifyReply, status: number, html: string) =>
  reply
    .code(status)
    .header('content-security-policy', PAGE_CSP)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(html);

function setSession(reply: FastifyReply, request: FastifyRequest, auth: Authenticator, role: Role) {
  const { session, csrfToken, maxAgeSeconds } = auth.issue(role);
  const common = {
    path: '/',
    sameSite: 'strict' as const,
    secure: request.protocol === 'https',
    maxAge: maxAgeSeconds,
  };
  reply.setCookie(SESSION_COOKIE, session, { ...common, httpOnly: true });
  // Readable by the UI's scripts (and by Bull Board's axios, which echoes it as X-XSRF-TOKEN).
  reply.setCookie(CSRF_COOKIE, csrfToken, { ...common, httpOnly: false });
  return csrfToken;
}

export function registerLoginRoutes(app: FastifyInstance, auth: Authenticator): void {
  app.register((scope, _opts, done) => {
    // The sign-in form posts urlencoded; nothing else accepts that.
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      },
    );

    scope.get('/login', async (request, reply) => {
      const { next } = parseInput(loginQuery, request.query, 'query');
      if (auth.open) return reply.redirect(safeNext(next), 302);
      return sendPage(reply, 200, loginPage({ next: safeNext(next) }));
    });

    scope.post('/login', async (request, reply) => {
      if (auth.open) return reply.redirect('/', 303);
      const form = isForm(request);
      const { token, next } = parseInput(loginBody, request.body ?? {}, 'body');
      const role = auth.roleOf(token.trim());
      if (!role) {
        request.log.info({ ip: request.ip }, 'sign-in with a wrong token');
        if (form) {
          const page = loginPage({ next: safeNext(next), error: 'That token is not valid.' });
          return sendPage(reply, 401, page);
        }
        return sendError(reply, 401, { error: 'unauthorized', message: 'that token is not valid' });
      }
      const csrfToken = setSession(reply, request, auth, role);
      request.log.info({ role, ip: request.ip }, 'signed in');
      if (form) return reply.redirect(safeNext(next), 303);
      return reply.send({ role, csrfToken });
    });

    scope.post('/logout', async (request, reply) => {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.clearCookie(CSRF_COOKIE, { path: '/' });
      if (isForm(request) || (request.headers.accept ?? '').includes('text/html')) {
        return reply.redirect(auth.open ? '/' : '/login', 303);
      }
      return reply.code(204).send();
    });
    done();
  });

  app.get('/api/session', (request, reply) => {
    const principal = request.principal;
    return reply.send({
      role: principal?.role ?? null,
      via: principal?.via ?? null,
      csrfToken: principal?.csrfToken ?? null,
      authentication: auth.open ? 'none' : 'token',
    });
  });
}
