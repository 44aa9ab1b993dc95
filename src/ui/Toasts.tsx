import { useEffect, useState } from 'react';
import type { Toast } from '../editor/state';
import { Icon, type IconName } from './Icon';

/**
 * How long a toast stays (while not hovered or focused): info long enough to read two lines, a warning twice that.
 * Errors stay until dismissed. A warning that stayed for good sat over view controls (the Sessions view's New
 * button) until the user found its close button; what it says is also kept where it belongs (a turn's "no change").
 */
const TOAST_MS: Partial<Record<Toast['severity'], number>> = { info: 6000, warning: 12000 };

const ICONS: Record<Toast['severity'], IconName> = { info: 'info', warning: 'warning', error: 'alert' };

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  // Paused while the pointer or focus is on it, so nobody loses a message they are reading or about to dismiss.
  const [held, setHeld] = useState(false);
  useEffect(() => {
    const ms = TOAST_MS[toast.severity];
    if (ms === undefined || held) return;
    const t = setTimeout(() => onDismiss(toast.id), ms);
    return () => clearTimeout(t);
  }, [toast, held, onDismiss]);
  return (
    <div
      // Errors interrupt (alert); info and warnings wait for a pause in speech (status).
      role={toast.severity === 'error' ? 'alert' : 'status'}
      className={`toast toast-${toast.severity}`}
      data-testid={`notice-${toast.severity}`}
      onPointerEnter={() => setHeld(true)}
      onPointerLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
    >
      <Icon name={ICONS[toast.severity]} />
      <span className="toast-text">{toast.text}</span>
      <button type="button" className="btn icon small" onClick={() => onDismiss(toast.id)} aria-label="Dismiss message">
        <Icon name="x" size={14} />
      </button>
    </div>
  );
}

/**
 * Messages as toasts over the page (they never move the layout), newest at the top. Info fades by itself;
 * warnings and errors stay until dismissed.
 */
export function Toasts({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: number) => void }) {
  return (
    <div className="toasts">
      {[...toasts].reverse().map((t) => (
        <ToastItem key={t.id} toast={t} onDismiss={onDismiss} />
      ))}
    </div>
  );
}
