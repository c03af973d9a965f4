/**
 * Edits a schedule's cadence in place: every N seconds or minutes, or a cron
 * expression in a time zone. As you type it asks POST /api/preview (debounced)
 * for the next five slots, or shows why the server refuses the cadence.
 */
import { useEffect, useMemo, useState } from 'react';
import { api, describeError, type Cadence } from '../api';
import type { PreviewResult, Schedule } from '../types';

type Mode = 'seconds' | 'minutes' | 'cron';

const DEBOUNCE_MS = 300;
const ZONES: readonly string[] = (() => {
  try {
    return ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  } catch {
    return ['UTC'];
  }
})();

function initialDraft(s: Schedule) {
  const seconds = s.intervalSeconds;
  if (seconds !== null) {
    const minutes = seconds % 60 === 0;
    return {
      mode: (minutes ? 'minutes' : 'seconds') as Mode,
      amount: String(minutes ? seconds / 60 : seconds),
      cron: '0 * * * *',
      timezone: s.timezone,
    };
  }
  return { mode: 'cron' as Mode, amount: '10', cron: s.cronExpression ?? '', timezone: s.timezone };
}

type Draft = ReturnType<typeof initialDraft>;

/** The cadence a draft describes, or what is wrong with it before asking the server. */
function cadenceOf(draft: Draft): { cadence: Cadence } | { problem: string } {
  if (draft.mode === 'cron') {
    if (!draft.cron.trim()) return { problem: 'Type a cron expression, e.g. 0 9 * * 1-5' };
    return { cadence: { cron: draft.cron.trim(), timezone: draft.timezone.trim() || 'UTC' } };
  }
  const n = Number(draft.amount);
  if (!/^\d+$/.test(draft.amount.trim()) || n < 1) return { problem: 'Type a whole number ≥ 1' };
  return { cadence: { intervalSeconds: draft.mode === 'minutes' ? n * 60 : n } };
}

type Preview =
  | { state: 'loading' }
  | { state: 'ok'; result: PreviewResult }
  | { state: 'error'; message: string };

export function FrequencyEditor(props: {
  schedule: Schedule;
  onSaved(schedule: Schedule): void;
  onCancel(): void;
}) {
  const [draft, setDraft] = useState(() => initialDraft(props.schedule));
  const [preview, setPreview] = useState<Preview>({ state: 'loading' });
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const parsed = useMemo(() => cadenceOf(draft), [draft]);
  // The cadence's JSON is its identity (`parsed` is a new object on every render).
  const cadenceKey = 'cadence' in parsed ? JSON.stringify(parsed.cadence) : null;
  const problem = 'problem' in parsed ? parsed.problem : null;

  useEffect(() => {
    if (cadenceKey === null) return setPreview({ state: 'error', message: problem ?? '' });
    const cadence = JSON.parse(cadenceKey) as Cadence;
    setPreview({ state: 'loading' });
    let current = true;
    const timer = window.setTimeout(() => {
      api.preview(cadence).then(
        (result) => current && setPreview({ state: 'ok', result }),
        (err: unknown) => current && setPreview({ state: 'error', message: describeError(err) }),
      );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [cadenceKey, problem]);

  const set = (patch: Partial<Draft>) => {
    setSaveError(null);
    setDraft((d) => ({ ...d, ...patch }));
  };

  async function save() {
    if (!('cadence' in parsed)) return;
    setSaving(true);
    setSaveError(null);
    try {
      props.onSaved(await api.setCadence(props.schedule.key, parsed.cadence));
    } catch (err) {
      setSaveError(describeError(err));
    } finally {
      setSaving(false);
    }
  }

  const invalid = preview.state === 'error';
  const listId = `zones-${props.schedule.id}`;
  return (
    <form
      className="editor"
      data-testid="frequency-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="editor-fields">
        <label>
          <span>Runs</span>
          <select
            value={draft.mode}
            data-testid="frequency-mode"
            onChange={(e) => set({ mode: e.target.value as Mode })}
          >
            <option value="seconds">every N seconds</option>
            <option value="minutes">every N minutes</option>
            <option value="cron">on a cron expression</option>
          </select>
        </label>
        {draft.mode === 'cron' ? (
          <>
            <label className="grow">
              <span>Cron (5 fields, or 6 with seconds)</span>
              <input
                className="mono"
                value={draft.cron}
                data-testid="frequency-cron"
                placeholder="0 9 * * 1-5"
                spellCheck={false}
                aria-invalid={invalid}
                onChange={(e) => set({ cron: e.target.value })}
              />
            </label>
            <label>
              <span>Time zone</span>
              <input
                value={draft.timezone}
                list={listId}
                data-testid="frequency-timezone"
                spellCheck={false}
                onChange={(e) => set({ timezone: e.target.value })}
              />
              <datalist id={listId}>
                {ZONES.map((zone) => (
                  <option key={zone} value={zone} />
                ))}
              </datalist>
            </label>
          </>
        ) : (
          <label>
            <span>{draft.mode === 'minutes' ? 'Minutes' : 'Seconds'}</span>
            <input
              type="number"
              min={1}
              step={1}
              inputMode="numeric"
              value={draft.amount}
              data-testid="frequency-amount"
              aria-invalid={invalid}
              onChange={(e) => set({ amount: e.target.value })}
            />
          </label>
        )}
      </div>
      <PreviewList preview={preview} />
      {saveError && (
        <p className="error" role="alert" data-testid="frequency-save-error">
          {saveError}
        </p>
      )}
      <div className="editor-actions">
        <button
          type="submit"
          className="primary"
          data-testid="frequency-save"
          disabled={saving || preview.state !== 'ok'}
        >
          {saving ? 'Saving…' : 'Save frequency'}
        </button>
        <button type="button" data-testid="frequency-cancel" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function PreviewList({ preview }: { preview: Preview }) {
  if (preview.state === 'error') {
    return (
      <p className="error" role="alert" data-testid="frequency-error">
        {preview.message}
      </p>
    );
  }
  if (preview.state === 'loading') {
    return <p className="muted preview-note">Checking…</p>;
  }
  const { slots, timezone } = preview.result;
  return (
    <div className="preview" data-testid="frequency-preview">
      <span className="muted">
        Next {slots.length} runs ({timezone}):
      </span>
      <ol>
        {slots.map((slot) => (
          <li key={slot.at} data-testid="preview-slot" title={slot.at}>
            <span className="mono">{slot.local}</span>
            {slot.dstChange && <span className="dst"> · {slot.dstChange}</span>}
          </li>
        ))}
      </ol>
    </div>
  );
}
