/** The few server-rendered pages: sign-in, and the front page until the UI is built. */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** Our pages load nothing from elsewhere and run no script. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLE = `body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem}input{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}
button{font:inherit;padding:.4rem 1rem;margin-top:.8rem}.error{color:#b42318}
li{margin:.3rem 0}code{background:#f3f4f6;padding:0 .2rem}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · cronfleet</title><style>${STYLE}</style></head>
<body>${body}</body></html>
`;
}

/** A same-site path to go back to after signing in, or '/'. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2_000) return '/';
  // A path on this site only: not //host, not /\host, not a scheme.
  return /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/';
}

export function loginPage(opts: { next: string; error?: string }): string {
  const error = opts.error ? `<p class="error" role="alert">${escapeHtml(opts.error)}</p>` : '';
  return page(
    'Sign in',
    `<h1>cronfleet dashboard</h1>
<form method="post" action="/login">
<label for="token">Access token (operator or viewer)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${escapeHtml(opts.next)}">
${error}<button type="submit">Sign in</button>
</form>`,
  );
}

export function homePage(opts: { role: string; open: boolean }): string {
  const who = opts.open
    ? '<p class="error">No DASHBOARD_TOKEN is set: anyone on this machine is an operator, and the server listens on 127.0.0.1 only.</p>'
    : `<p>Signed in as <strong>${escapeHtml(opts.role)}</strong>.</p>
<form method="post" action="/logout"><button type="submit">Sign out</button></form>`;
  return page(
    'Dashboard',
    `<h1>cronfleet dashboard</h1>
${who}
<ul>
<li><a href="/queues">Queues</a> (Bull Board)</li>
<li><a href="/api">REST API</a>: <a href="/api/schedules">schedules</a>, <a href="/api/runs">runs</a>, <a href="/api/stats">stats</a>, <a href="/api/events">live events</a> (server-sent)</li>
</ul>
<p>The schedules UI is served from <code>apps/dashboard/ui/dist</code> once it is built.</p>`,
  );
}
