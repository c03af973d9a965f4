/**
 * The dashboard API over fetch: same-origin cookies, the session's CSRF token
 * on every mutation, errors as ApiError (with the 400's field issues), and a
 * 401 sends the browser to the server's sign-in page, coming back here after.
 */
import type {
  Issue,
  Page,
  PreviewResult,
  Run,
  RunDetail,
  RunNowResult,
  Schedule,
  Session,
} from './types';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: Issue[];

  constructor(status: number, code: string, message: string, issues: Issue[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.issues = issues;
  }
}

let csrfToken: string | null = null;

/** The sign-in page, returning to where the browser is now. */
export function signInUrl(): string {
  const here = `${window.location.pathname}${window.location.search}`;
  return `/login?next=${encodeURIComponent(here)}`;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 401) {
    window.location.assign(signInUrl());
    throw new ApiError(401, 'unauthorized', 'signed out; redirecting to the sign-in page');
  }
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const err = (data ?? {}) as { error?: string; message?: string; issues?: Issue[] };
    throw new ApiError(
      res.status,
      err.error ?? 'error',
      err.message ?? `${method} ${path} answered ${res.status}`,
      err.issues ?? [],
    );
  }
  return data as T;
}

const ref = (key: string) => `/api/schedules/${encodeURIComponent(key)}`;

/** A cadence being edited: every N seconds, or a cron expression in a zone. */
export type Cadence = { intervalSeconds: number } | { cron: string; timezone: string };

export const api = {
  async session(): Promise<Session> {
    const session = await request<Session>('GET', '/api/session');
    csrfToken = session.csrfToken;
    return session;
  },
  schedules: () => request<Page<Schedule>>('GET', '/api/schedules?limit=500'),
  schedule: (key: string) => request<Schedule>('GET', ref(key)),
  setEnabled: (key: string, enabled: boolean) =>
    request<Schedule>('POST', `${ref(key)}/${enabled ? 'enable' : 'disable'}`),
  pause: (key: string, note: string) =>
    request<Schedule>('POST', `${ref(key)}/pause`, note.trim() ? { note: note.trim() } : {}),
  resume: (key: string) => request<Schedule>('POST', `${ref(key)}/resume`),
  runNow: (key: string) => request<RunNowResult>('POST', `${ref(key)}/run`, {}),
  setCadence(key: string, cadence: Cadence): Promise<Schedule> {
    const patch =
      'cron' in cadence
        ? { cronExpression: cadence.cron, timezone: cadence.timezone }
        : { intervalSeconds: cadence.intervalSeconds };
    return request<Schedule>('PATCH', ref(key), patch);
  },
  preview: (cadence: Cadence, count = 5) =>
    request<PreviewResult>('POST', '/api/preview', { ...cadence, count }),
  runs: (key: string, offset = 0, limit = 25) =>
    request<Page<Run>>('GET', `${ref(key)}/runs?limit=${limit}&offset=${offset}`),
  run: (id: string) => request<RunDetail>('GET', `/api/runs/${encodeURIComponent(id)}`),
  async signOut(): Promise<void> {
    await fetch('/logout', {
      method: 'POST',
      credentials: 'same-origin',
      headers: csrfToken ? { 'x-csrf-token': csrfToken } : {},
    });
  },
};

/**
 * What an error says to a person: each field's problem when the server named
 * them (the field is left out when its message already starts with it), else
 * the message.
 */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.issues.length === 0) return err.message;
    return err.issues
      .map(({ field, message }) =>
        field.startsWith('(') || message.startsWith(field) ? message : `${field}: ${message}`,
      )
      .join('; ');
  }
  return err instanceof Error ? err.message : String(err);
}

/** Bull Board's page for one job (run ids are job ids in the `runs` queue). */
export const boardJobUrl = (runId: string) => `/queues/queue/runs/${encodeURIComponent(runId)}`;
