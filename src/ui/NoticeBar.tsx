import type { Notice } from '../editor/state';

/** The one place errors and status messages appear; errors are announced to screen readers. */
export function NoticeBar({ notice, onDismiss }: { notice: Notice | null; onDismiss: () => void }) {
  if (!notice) return <div role="status" aria-live="polite" className="notice-empty" />;
  return (
    <div
      role={notice.kind === 'error' ? 'alert' : 'status'}
      className={`notice notice-${notice.kind}`}
      data-testid={`notice-${notice.kind}`}
    >
      <span>{notice.text}</span>
      <button type="button" onClick={onDismiss} aria-label="Dismiss message">
        ×
      </button>
    </div>
  );
}
