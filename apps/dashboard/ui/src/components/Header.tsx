import { useContext } from 'react';
import { api } from '../api';
import { SessionContext } from '../hooks';
import { useLiveState } from '../live';
import { Link, usePath } from '../router';

const LIVE_LABELS = { open: 'live', connecting: 'connecting…', closed: 'offline' } as const;

export function Header() {
  const session = useContext(SessionContext);
  const live = useLiveState();
  const path = usePath();
  const onSchedules = path === '/' || path.startsWith('/schedules/');

  async function signOut() {
    await api.signOut();
    window.location.assign('/login');
  }

  return (
    <header className="topbar">
      <Link href="/" className="brand">
        <span className="logo" aria-hidden="true" />
        cronfleet
      </Link>
      <nav>
        <Link href="/" aria-current={onSchedules ? 'page' : undefined} data-testid="nav-schedules">
          Schedules
        </Link>
        <a href="/queues" data-testid="nav-board">
          Bull Board
        </a>
      </nav>
      <div className="topbar-end">
        <span className={`live ${live}`} data-testid="live-status" data-state={live}>
          {LIVE_LABELS[live]}
        </span>
        {session?.role && (
          <span className="role" data-testid="role" title={`Signed in as ${session.role}`}>
            {session.role}
          </span>
        )}
        {session?.authentication === 'token' && (
          <button
            type="button"
            className="link"
            data-testid="sign-out"
            onClick={() => void signOut()}
          >
            Sign out
          </button>
        )}
      </div>
    </header>
  );
}
