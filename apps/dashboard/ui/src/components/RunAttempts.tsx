/** A run's attempts (GET /api/runs/:id), reloaded as the run moves on. */
import { useEffect, useState } from 'react';
import { api, describeError } from '../api';
import { absoluteTime, clip, duration } from '../format';
import type { Attempt, Run } from '../types';
import { StatusBadge } from './StatusBadge';

export function RunAttempts({ run }: { run: Run }) {
  const [attempts, setAttempts] = useState<Attempt[] | null>(null);
  const [result, setResult] = useState<unknown>(undefined);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    api.run(run.id).then(
      (detail) => {
        if (!current) return;
        setAttempts(detail.attempts);
        setResult(detail.run.result);
        setError(null);
      },
      (err: unknown) => current && setError(describeError(err)),
    );
    return () => {
      current = false;
    };
  }, [run.id, run.status, run.attempts]);

  if (error) return <p className="error">{error}</p>;
  if (!attempts) return <p className="muted">Loading attempts…</p>;
  return (
    <div className="attempts" data-testid="attempts">
      {attempts.length === 0 ? (
        <p className="muted">No attempt yet{run.reason ? ` — ${run.reason}` : ''}.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>Status</th>
              <th>Worker</th>
              <th>Started</th>
              <th>Duration</th>
              <th>Error or result</th>
            </tr>
          </thead>
          <tbody>
            {attempts.map((a) => (
              <tr key={a.attempt} data-testid="attempt-row">
                <td data-label="#">{a.attempt}</td>
                <td data-label="Status">
                  <StatusBadge status={a.status} />
                </td>
                <td data-label="Worker" className="mono small">
                  {a.workerId}
                </td>
                <td data-label="Started">{absoluteTime(a.startedAt)}</td>
                <td data-label="Duration">{duration(a.durationMs)}</td>
                <AttemptOutcome attempt={a} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {attempts.length === 0 && result !== undefined && result !== null && (
        <p className="small">
          Run result: <code>{JSON.stringify(result)}</code>
        </p>
      )}
    </div>
  );
}

function AttemptOutcome({ attempt }: { attempt: Attempt }) {
  const text =
    attempt.error ??
    (attempt.result === null || attempt.result === undefined
      ? '—'
      : JSON.stringify(attempt.result));
  return (
    <td
      data-label="Error or result"
      className={attempt.error ? 'error-text' : 'mono small'}
      title={text}
    >
      {clip(text, 140)}
    </td>
  );
}
