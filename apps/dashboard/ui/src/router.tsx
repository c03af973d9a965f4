/** The two pages' routing on the History API: no library needed for `/` and `/schedules/:key`. */
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const NAVIGATE = 'cronfleet:navigate';

function subscribe(onChange: () => void) {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE, onChange);
  };
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function navigate(to: string): void {
  if (to === window.location.pathname) return;
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE));
  window.scrollTo(0, 0);
}

export type Route = { page: 'schedules' } | { page: 'schedule'; key: string } | { page: 'missing' };

export function matchRoute(path: string): Route {
  if (path === '/' || path === '') return { page: 'schedules' };
  const match = /^\/schedules\/([^/]+)\/?$/.exec(path);
  if (match?.[1]) return { page: 'schedule', key: decodeURIComponent(match[1]) };
  return { page: 'missing' };
}

/** An in-app link: a plain <a> (open in new tab works) that navigates without a reload. */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    props.onClick?.(event);
    const plain = event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey;
    if (!event.defaultPrevented && plain && !event.altKey) {
      event.preventDefault();
      navigate(props.href);
    }
  };
  return <a {...props} onClick={onClick} />;
}
