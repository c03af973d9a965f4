/**
 * Who is asking. Two static tokens from the environment give two roles:
 * operator (may change things) and viewer (read-only). API clients send
 * `Authorization: Bearer <token>`; browsers sign in once at /login and get a
 * session cookie. Sessions are stateless, so any replica accepts them: the
 * cookie is `v1.<role>.<expires>.<nonce>.<mac>`, MACed with a key derived
 * from both tokens (rotating a token ends every session). The CSRF token is a
 * MAC of the session's nonce, so it cannot be forged without the session.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { fastifyCookie } from '@fastify/cookie';

export type Role = 'operator' | 'viewer';

export interface AuthOptions {
  /** Grants 'operator'. */
  operatorToken?: string;
  /** Grants 'viewer' (read-only). */
  viewerToken?: string;
  /** How long a browser session lasts; default 12 hours. */
  sessionTtlMs?: number;
}

export interface Principal {
  role: Role;
  /** open: no token is configured, everyone is an operator (local development). */
  via: 'bearer' | 'cookie' | 'open';
  /** Set for cookie sessions: mutating requests must echo it in X-CSRF-Token. */
  csrfToken: string | null;
}

export interface Resolution {
  principal: Principal | null;
  /** Why credentials that were sent were refused. */
  problem?: string;
}

export const SESSION_COOKIE = 'cronfleet_session';
/** Readable by scripts; the name axios (and so Bull Board's UI) echoes as X-XSRF-TOKEN. */
export const CSRF_COOKIE = 'XSRF-TOKEN';
export const CSRF_HEADERS = ['x-csrf-token', 'x-xsrf-token'] as const;

const DEFAULT_TTL_MS = 12 * 3_600_000;
const digest = (value: string) => createHash('sha256').update(value).digest();

/** Equal strings, in time that does not depend on where they differ (or on their lengths). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export interface Authenticator {
  /** No token configured: no authentication at all. */
  readonly open: boolean;
  /** The role a token grants, or null. Checks every configured token. */
  roleOf(token: string): Role | null;
  /** A new session cookie value and its CSRF token. */
  issue(role: Role): { session: string; csrfToken: string; maxAgeSeconds: number };
  /** The session a cookie value carries, or null when forged, malformed or expired. */
  verify(session: string): { role: Role; csrfToken: string } | null;
  /** The principal of a raw request (bearer header first, then the session cookie); memoised. */
  resolve(req: IncomingMessage): Resolution;
  /** Whether a request carries the CSRF token of its session. */
  csrfMatches(headers: IncomingMessage['headers'], principal: Principal): boolean;
}

export function createAuthenticator(
  opts: AuthOptions,
  now: () => number = Date.now,
): Authenticator {
  const operatorToken = opts.operatorToken || undefined;
  const viewerToken = opts.viewerToken || undefined;
  const open = !operatorToken && !viewerToken;
  const ttlMs = opts.sessionTtlMs ?? DEFAULT_TTL_MS;
  const key = createHmac('sha256', 'cronfleet-dashboard-session-v1')
    .update(`${operatorToken ?? ''}\n${viewerToken ?? ''}`)
    .digest();
  const mac = (text: string) => createHmac('sha256', key).update(text).digest('base64url');
  const csrfOf = (nonce: string) => mac(`csrf.${nonce}`);
  const memo = new WeakMap<IncomingMessage, Resolution>();
  const openPrincipal: Principal = { role: 'operator', via: 'open', csrfToken: null };

  function roleOf(token: string): Role | null {
    // Both comparisons always run, so timing does not tell which token was close.
    const operator = operatorToken !== undefined && safeEqual(token, operatorToken);
    const viewer = viewerToken !== undefined && safeEqual(token, viewerToken);
    return operator ? 'operator' : viewer ? 'viewer' : null;
  }

  function verify(session: string): { role: Role; csrfToken: string } | null {
    const parts = session.split('.');
    if (parts.length !== 5) return null;
    const [version, role, expires, nonce, sig] = parts as [string, string, string, string, string];
    if (version !== 'v1' || (role !== 'operator' && role !== 'viewer')) return null;
    if (!safeEqual(sig, mac(`v1.${role}.${expires}.${nonce}`))) return null;
    if (!/^\d{1,15}$/.test(expires) || Number(expires) <= now()) return null;
    if ((role === 'operator' ? operatorToken : viewerToken) === undefined) return null;
    return { role, csrfToken: csrfOf(nonce) };
  }

  function resolveUncached(req: IncomingMessage): Resolution {
    if (open) return { principal: openPrincipal };
    const header = req.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
      const role = match?.[1] ? roleOf(match[1]) : null;
      if (!role) return { principal: null, problem: 'the Authorization header has no valid token' };
      return { principal: { role, via: 'bearer', csrfToken: null } };
    }
    const cookie = req.headers.cookie;
    const value = cookie ? fastifyCookie.parse(cookie)[SESSION_COOKIE] : undefined;
    if (value === undefined) return { principal: null };
    const session = verify(value);
    if (!session) return { principal: null, problem: 'the session has expired; sign in again' };
    return { principal: { role: session.role, via: 'cookie', csrfToken: session.csrfToken } };
  }

  return {
    open,
    roleOf,
    verify,
    issue(role) {
      const expires = now() + ttlMs;
      const nonce = randomBytes(18).toString('base64url');
      const body = `v1.${role}.${expires}.${nonce}`;
      return {
        session: `${body}.${mac(body)}`,
        csrfToken: csrfOf(nonce),
        maxAgeSeconds: Math.floor(ttlMs / 1000),
      };
    },
    resolve(req) {
      let found = memo.get(req);
      if (!found) {
        found = resolveUncached(req);
        memo.set(req, found);
      }
      return found;
    },
    csrfMatches(headers, principal) {
      if (principal.csrfToken === null) return false;
      for (const name of CSRF_HEADERS) {
        const sent = headers[name];
        if (typeof sent === 'string' && safeEqual(sent, principal.csrfToken)) return true;
      }
      return false;
    },
  };
}
