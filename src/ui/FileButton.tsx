import type { InputHTMLAttributes, ReactNode } from 'react';
import { Icon, type IconName } from './Icon';

export interface FileButtonProps extends Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'type' | 'className' | 'children'
> {
  /** What the button says, e.g. "Choose files…". */
  children: ReactNode;
  icon?: IconName;
  /** Extra classes for the button (e.g. "ghost"). */
  variant?: string;
}

/**
 * A file input that looks like our buttons: the label is the button, the native input sits inside it out of sight
 * but still in the tab order, so Tab reaches it, Enter or Space opens the picker, and the label shows the focus
 * ring (:focus-within). Props go to the input (accept, multiple, onChange, aria-label, data-testid…).
 */
export function FileButton({ children, icon = 'upload', variant, disabled, ...input }: FileButtonProps) {
  return (
    <label className={`btn file-button${variant ? ` ${variant}` : ''}`} aria-disabled={disabled || undefined}>
      <input type="file" className="visually-hidden" disabled={disabled} {...input} />
      <Icon name={icon} />
      {children}
    </label>
  );
}
