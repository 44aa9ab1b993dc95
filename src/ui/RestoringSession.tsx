/**
 * What the canvas shows while boot restores the last session (or has not yet found out whether there is one). It
 * replaces the start screen until then: a sample clicked there would have been thrown away when the session
 * arrived, so nothing here can be clicked. Opening or dropping an image still works, and wins over the restore.
 */
export function RestoringSession({ name }: { name: string | null }) {
  return (
    <div className="restoring" role="status" aria-live="polite" aria-busy="true" data-testid="restoring">
      <span className="restoring-spinner" aria-hidden="true" />
      <p>{name === null ? 'Opening your work…' : name ? `Restoring “${name}”…` : 'Restoring your last session…'}</p>
    </div>
  );
}
