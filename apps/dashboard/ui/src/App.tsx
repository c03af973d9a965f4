import { useEffect, useState } from 'react';
import { api, describeError } from './api';
import { Header } from './components/Header';
import { SchedulePage } from './components/SchedulePage';
import { SchedulesPage } from './components/SchedulesPage';
import { FINAL_STATUSES, toneOf } from './format';
import { SessionContext } from './hooks';
import { LiveEvents, useRunEvents } from './live';
import { Link, matchRoute, usePath } from './router';
import { Toasts, useToast } from './toasts';
import type { Session } from './types';

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.session().then(setSession, (err: unknown) => setError(describeError(err)));
  }, []);

  if (error) return <p className="error banner page">Could not reach the dashboard: {error}</p>;
  if (!session) return <p className="muted page">Loading…</p>;
  return (
    <SessionContext.Provider value={session}>
      <LiveEvents>
        <Toasts>
          <Header />
          {session.authentication === 'none' && (
            <p className="banner warning page-wide">
              No DASHBOARD_TOKEN is set: there is no sign-in, and the dashboard answers on this
              machine only.
            </p>
          )}
          <RunToasts />
          <Pages />
        </Toasts>
      </LiveEvents>
    </SessionContext.Provider>
  );
}

function Pages() {
  const route = matchRoute(usePath());
  if (route.page === 'schedules') return <SchedulesPage />;
  if (route.page === 'schedule') return <SchedulePage key={route.key} scheduleKey={route.key} />;
  return (
    <main className="page">
      <h1>Not found</h1>
      <p>
        Nothing here. <Link href="/">Back to the schedules</Link>.
      </p>
    </main>
  );
}

/** "heartbeat succeeded", "nightly failed: …" as each run finishes. */
function RunToasts() {
  const notify = useToast();
  useRunEvents((event) => {
    if (event.type !== 'run.finished' || !FINAL_STATUSES.has(event.status)) return;
    const text = `${event.scheduleKey} ${event.status}${event.error ? `: ${event.error}` : ''}`;
    notify(text, toneOf(event.status));
  });
  return null;
}
