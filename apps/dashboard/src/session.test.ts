import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_COOKIE, SESSION_COOKIE } from './auth.js';
import {
  OPERATOR_TOKEN,
  signIn,
  VIEWER_TOKEN,
  call,
  json,
  openDashboard,
  type DashboardTest,
} from './test/env.js';

let t: DashboardTest;
beforeAll(async () => {
  t = await openDashboard();
});
afterAll(async () => t?.close());

describe('browser sessions', () => {
  it('the sign-in form sets an HttpOnly SameSite=Strict session cookie and a readable CSRF cookie', async () => {
    const res = await call(t.app, 'POST', '/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: VIEWER_TOKEN, next: '/queues' }).toString(),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/queues');
    const session = res.cookies.find((c) => c.name === SESSION_COOKIE);
    const csrf = res.cookies.find((c) => c.name === CSRF_COOKIE);
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(csrf).toMatchObject({ sameSite: 'Strict', path: '/' });
    expect(csrf?.httpOnly).toBeFalsy();
    const me = await call(t.app, 'GET', '/api/session', {
      cookies: { [SESSION_COOKIE]: session!.value },
    });
    expect(json(me)).toEqual({
      role: 'viewer',
      via: 'cookie',
      csrfToken: csrf!.value,
      authentication: 'token',
    });
  });

  it('a wrong token re-shows the form with an error; next never leaves the site', async () => {
    const res = await call(t.app, 'POST', '/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'not-the-token', next: '//evil.example' }).toString(),
    });
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('That token is not valid.');
    expect(res.body).toContain('name="next" value="/"');
    expect(res.cookies).toEqual([]);
    const json401 = await call(t.app, 'POST', '/login', { body: { token: 'nope' } });
    expect(json(json401)).toMatchObject({ error: 'unauthorized' });
    const bad = await call(t.app, 'POST', '/login', { body: { tokn: OPERATOR_TOKEN } });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'token' })]),
    );
  });

  it('a cookie-authenticated mutation needs the CSRF token; with it, it goes through', async () => {
    const { cookies, csrfToken } = await signIn(t.app, OPERATOR_TOKEN);
    const body = { key: 'by-cookie', handler: 'noop', intervalSeconds: 30 };
    const without = await call(t.app, 'POST', '/api/schedules', { cookies, body });
    expect(without.statusCode).toBe(403);
    expect(json(without).message).toContain('CSRF');
    const wrong = await call(t.app, 'POST', '/api/schedules', {
      cookies,
      body,
      headers: { 'x-csrf-token': `${csrfToken}x` },
    });
    expect(wrong.statusCode).toBe(403);
    const other = await signIn(t.app, OPERATOR_TOKEN);
    const foreign = await call(t.app, 'POST', '/api/schedules', {
      cookies,
      body,
      headers: { 'x-csrf-token': other.csrfToken },
    });
    expect(foreign.statusCode).toBe(403);
    const ok = await call(t.app, 'POST', '/api/schedules', {
      cookies,
      body,
      headers: { 'x-csrf-token': csrfToken },
    });
    expect(ok.statusCode).toBe(201);
    expect(json(ok)).toMatchObject({ key: 'by-cookie' });
  });

  it("Bull Board's own requests pass with the X-XSRF-TOKEN header axios sends", async () => {
    const { cookies, csrfToken } = await signIn(t.app, OPERATOR_TOKEN);
    const refused = await call(t.app, 'PUT', '/queues/api/queues/runs/pause', { cookies });
    expect(refused.statusCode).toBe(403);
    const headers = { 'x-xsrf-token': csrfToken };
    const paused = await call(t.app, 'PUT', '/queues/api/queues/runs/pause', { cookies, headers });
    expect(paused.statusCode).toBe(200);
    expect(await t.queue.queue.isPaused()).toBe(true);
    await call(t.app, 'PUT', '/queues/api/queues/runs/resume', { cookies, headers });
    expect(await t.queue.queue.isPaused()).toBe(false);
  });

  it('bearer requests need no CSRF token', async () => {
    const res = await call(t.app, 'POST', '/api/schedules', {
      token: OPERATOR_TOKEN,
      body: { key: 'by-bearer', handler: 'noop', intervalSeconds: 30 },
    });
    expect(res.statusCode).toBe(201);
    const me = await call(t.app, 'GET', '/api/session', { token: OPERATOR_TOKEN });
    expect(json(me)).toMatchObject({ role: 'operator', via: 'bearer', csrfToken: null });
  });

  it('a tampered cookie is refused', async () => {
    const { cookies } = await signIn(t.app, VIEWER_TOKEN);
    const forged = cookies[SESSION_COOKIE].replace('.viewer.', '.operator.');
    const res = await call(t.app, 'GET', '/api/schedules', {
      cookies: { [SESSION_COOKIE]: forged },
    });
    expect(res.statusCode).toBe(401);
  });

  it('logout clears both cookies', async () => {
    const { cookies } = await signIn(t.app, OPERATOR_TOKEN);
    const res = await call(t.app, 'POST', '/logout', { cookies });
    expect(res.statusCode).toBe(204);
    const cleared = res.cookies.map((c) => [c.name, c.value]);
    expect(cleared).toEqual(
      expect.arrayContaining([
        [SESSION_COOKIE, ''],
        [CSRF_COOKIE, ''],
      ]),
    );
    const form = await call(t.app, 'POST', '/logout', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(form.statusCode).toBe(303);
    expect(form.headers.location).toBe('/login');
  });
});
