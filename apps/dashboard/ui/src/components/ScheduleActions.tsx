/**
 * What an operator can do to one schedule: enable/disable, run now, pause
 * with a note / resume, edit its frequency. Used by a table row and by the
 * schedule page; viewers get none of it.
 */
import { useEffect, useState } from 'react';
import { api, describeError } from '../api';
import type { Tone } from '../format';
import type { Schedule } from '../types';
import { FrequencyEditor } from './FrequencyEditor';

type Panel = 'edit' | 'pause' | null;

const MESSAGE_MS = 8_000;

export interface Actions {
  schedule: Schedule;
  panel: Panel;
  setPanel(panel: Panel): void;
  busy: boolean;
  message: { tone: Tone; text: string } | null;
  toggle(): void;
  runNow(): void;
  resume(): void;
  pause(note: string): void;
  saved(schedule: Schedule): void;
}

export function useActions(schedule: Schedule, onChange: (s: Schedule) => void): Actions {
  const [panel, setPanel] = useState<Panel>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Actions['message']>(null);

  // An answer is news for a few seconds; errors stay until the next action.
  useEffect(() => {
    if (!message || message.tone === 'red') return;
    const timer = window.setTimeout(() => setMessage(null), MESSAGE_MS);
    return () => window.clearTimeout(timer);
  }, [message]);

  function act<T>(work: () => Promise<T>, done: (value: T) => void) {
    setBusy(true);
    setMessage(null);
    work()
      .then(done, (err: unknown) => setMessage({ tone: 'red', text: describeError(err) }))
      .finally(() => setBusy(false));
  }

  return {
    schedule,
    panel,
    setPanel,
    busy,
    message,
    toggle: () => act(() => api.setEnabled(schedule.key, !schedule.enabled), onChange),
    resume: () => act(() => api.resume(schedule.key), onChange),
    pause: (note) =>
      act(
        () => api.pause(schedule.key, note),
        (s) => {
          setPanel(null);
          onChange(s);
        },
      ),
    runNow: () =>
      act(
        () => api.runNow(schedule.key),
        (answer) =>
          setMessage(
            answer.status === 'skipped'
              ? {
                  tone: 'amber',
                  text: `skipped: ${answer.reason ?? 'refused by the overlap policy'}`,
                }
              : answer.status === 'queued'
                ? { tone: 'blue', text: 'queued' }
                : { tone: 'amber', text: 'pending: the relay will deliver it' },
          ),
      ),
    saved: (s) => {
      setPanel(null);
      setMessage({ tone: 'green', text: 'frequency saved' });
      onChange(s);
    },
  };
}

export function ActionButtons({ actions }: { actions: Actions }) {
  const { schedule, busy, panel } = actions;
  const paused = schedule.state === 'paused';
  return (
    <div className="actions">
      <div className="action-buttons">
        <label className="switch" title={schedule.enabled ? 'Disable' : 'Enable'}>
          <input
            type="checkbox"
            role="switch"
            checked={schedule.enabled}
            disabled={busy}
            data-testid="toggle-enabled"
            aria-label={`${schedule.enabled ? 'Disable' : 'Enable'} ${schedule.key}`}
            onChange={actions.toggle}
          />
          <span className="slider" aria-hidden="true" />
        </label>
        <button type="button" disabled={busy} data-testid="run-now" onClick={actions.runNow}>
          Run now
        </button>
        {paused ? (
          <button type="button" disabled={busy} data-testid="resume" onClick={actions.resume}>
            Resume
          </button>
        ) : (
          <button
            type="button"
            disabled={busy}
            aria-expanded={panel === 'pause'}
            data-testid="pause"
            onClick={() => actions.setPanel(panel === 'pause' ? null : 'pause')}
          >
            Pause
          </button>
        )}
        <button
          type="button"
          aria-expanded={panel === 'edit'}
          data-testid="edit-frequency"
          onClick={() => actions.setPanel(panel === 'edit' ? null : 'edit')}
        >
          Edit
        </button>
      </div>
      {actions.message && (
        <span className={`action-note tone-${actions.message.tone}`} data-testid="action-result">
          {actions.message.text}
        </span>
      )}
    </div>
  );
}

/** The open panel under the buttons: the frequency editor or the pause form. */
export function ActionPanel({ actions }: { actions: Actions }) {
  if (actions.panel === 'edit') {
    return (
      <FrequencyEditor
        schedule={actions.schedule}
        onSaved={actions.saved}
        onCancel={() => actions.setPanel(null)}
      />
    );
  }
  if (actions.panel === 'pause') return <PauseForm actions={actions} />;
  return null;
}

function PauseForm({ actions }: { actions: Actions }) {
  const [note, setNote] = useState('');
  return (
    <form
      className="editor pause-form"
      data-testid="pause-form"
      onSubmit={(e) => {
        e.preventDefault();
        actions.pause(note);
      }}
    >
      <label className="grow">
        <span>Why pause {actions.schedule.key}? (shown to everyone)</span>
        <input
          value={note}
          maxLength={2000}
          placeholder="e.g. upstream API down, see INC-42"
          data-testid="pause-note"
          onChange={(e) => setNote(e.target.value)}
        />
      </label>
      <div className="editor-actions">
        <button
          type="submit"
          className="primary"
          disabled={actions.busy}
          data-testid="pause-confirm"
        >
          Pause schedule
        </button>
        <button type="button" onClick={() => actions.setPanel(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
