import { useEffect, useRef } from 'react';

export interface ShortcutGroup {
  title: string;
  items: { keys: string; action: string }[];
}

/** The keyboard cheat-sheet (?); Escape or the close button dismisses it. */
export function ShortcutHelp({ groups, onClose }: { groups: ShortcutGroup[]; onClose: () => void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), []);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="help-title"
        onClick={(e) => e.stopPropagation()}
        data-testid="shortcut-help"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <header className="panel-head">
          <h2 id="help-title">Keyboard shortcuts</h2>
          <button ref={closeRef} type="button" className="btn icon" onClick={onClose} aria-label="Close shortcuts">
            ×
          </button>
        </header>
        <div className="shortcut-groups">
          {groups.map((g) => (
            <section key={g.title}>
              <h3>{g.title}</h3>
              <dl className="shortcuts">
                {g.items.map((i) => (
                  <div key={i.keys + i.action} className="shortcut">
                    <dt>
                      {i.keys.split(' / ').map((k, n) => (
                        <span key={k}>
                          {n > 0 && ' / '}
                          {k.split(/(?<=.)\+(?=.)/).map((part, m) => (
                            <span key={m}>
                              {m > 0 && '+'}
                              {part === 'drag' ? part : <kbd>{part}</kbd>}
                            </span>
                          ))}
                        </span>
                      ))}
                    </dt>
                    <dd>{i.action}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
