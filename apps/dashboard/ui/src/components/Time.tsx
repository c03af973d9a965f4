/** A relative time ("12 s ago") with the absolute instant on hover. */
import { absoluteTime, relativeTime } from '../format';

export function Time(props: {
  iso: string | null;
  /** The ticking clock (useNow): passing it re-renders the time as it moves. */
  now: number;
  /** An instant known to be in the past (a clock a little ahead never shows it "in 1 s"). */
  past?: boolean;
  testId?: string;
}) {
  if (!props.iso) return <span className="muted">—</span>;
  // The tick may be up to a second old when new data arrives; read the clock now.
  const now = Math.max(props.now, Date.now());
  return (
    <time dateTime={props.iso} title={absoluteTime(props.iso)} data-testid={props.testId}>
      {relativeTime(props.iso, now, props.past)}
    </time>
  );
}
