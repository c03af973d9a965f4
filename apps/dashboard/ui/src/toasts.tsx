/**
 * Short notices in a corner: a run finished, an action answered. The same
 * text again (a schedule failing every few seconds) bumps a counter on the
 * toast already shown instead of stacking copies.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import type { Tone } from './format';

interface Toast {
  id: number;
  text: string;
  tone: Tone;
  count: number;
}

type Notify = (text: string, tone?: Tone) => void;

const ToastContext = createContext<Notify>(() => undefined);
const MAX_TOASTS = 4;
let nextId = 1;

export function Toasts({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const timers = useRef(new Map<string, number>());

  useEffect(() => {
    const all = timers.current;
    return () => all.forEach((timer) => window.clearTimeout(timer));
  }, []);

  const dismiss = useCallback((text: string) => {
    window.clearTimeout(timers.current.get(text));
    timers.current.delete(text);
    setToasts((all) => all.filter((t) => t.text !== text));
  }, []);

  const notify = useCallback<Notify>(
    (text, tone = 'grey') => {
      setToasts((all) => {
        const same = all.find((t) => t.text === text);
        const rest = all.filter((t) => t.text !== text);
        const toast = { id: same?.id ?? nextId++, text, tone, count: (same?.count ?? 0) + 1 };
        return [...rest, toast].slice(-MAX_TOASTS);
      });
      window.clearTimeout(timers.current.get(text));
      // Failures stay longer: they are what someone needs to read.
      timers.current.set(
        text,
        window.setTimeout(() => dismiss(text), tone === 'red' ? 12_000 : 5_000),
      );
    },
    [dismiss],
  );

  return (
    <ToastContext.Provider value={notify}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast tone-${t.tone}`} data-testid="toast">
            <span>{t.text}</span>
            {t.count > 1 && (
              <span className="toast-count" title={`${t.count} times`}>
                ×{t.count}
              </span>
            )}
            <button type="button" aria-label="Dismiss" onClick={() => dismiss(t.text)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export const useToast = () => useContext(ToastContext);
