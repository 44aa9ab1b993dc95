import { useEffect, useRef, type ReactNode } from 'react';
import { Icon } from './Icon';

export interface SidePanelProps {
  id: string;
  side: 'left' | 'right';
  /** Only matters where the panel is a drawer (app.css: narrow windows); wide ones always show it. */
  open: boolean;
  /** The panel itself (an <aside> with its own label). */
  children: ReactNode;
}

/**
 * A column beside the canvas on wide windows, a drawer over it on narrow ones. Opening the drawer moves focus
 * into it, so the keyboard continues where the eyes went; closing gives focus back to what opened it (its toggle).
 */
export function SidePanel({ id, side, open, children }: SidePanelProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    ref.current?.focus({ preventScroll: true });
    return () => {
      const active = document.activeElement;
      // Unless the user already moved on to something outside the panel, which keeps its focus.
      if (opener && (!active || active === document.body || ref.current?.contains(active))) opener.focus();
    };
  }, [open]);
  return (
    <div
      id={id}
      ref={ref}
      tabIndex={-1}
      className={`side-slot ${side}${open ? ' open' : ''}`}
      data-testid={`side-panel-${side}`}
    >
      {children}
    </div>
  );
}

/** The button that shows or hides a side panel's drawer (app.css hides it where the panels are columns). */
export function DrawerToggle(p: {
  side: 'left' | 'right';
  label: string;
  controls: string;
  open: boolean;
  onToggle: () => void;
}) {
  return (
    <button
      type="button"
      className={`btn ghost small drawer-toggle${p.open ? ' on' : ''}`}
      aria-expanded={p.open}
      aria-controls={p.controls}
      onClick={p.onToggle}
      data-testid={`drawer-toggle-${p.side}`}
    >
      <Icon name={p.side === 'left' ? 'panelLeft' : 'panelRight'} size={14} />
      {p.label}
    </button>
  );
}
