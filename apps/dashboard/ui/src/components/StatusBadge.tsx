import { toneOf } from '../format';

const LABELS: Record<string, string> = { new: 'not run yet' };

export function StatusBadge({ status, title }: { status: string; title?: string | undefined }) {
  return (
    <span
      className={`badge tone-${toneOf(status)}`}
      data-testid="status-badge"
      data-status={status}
      title={title}
    >
      {LABELS[status] ?? status}
    </span>
  );
}
