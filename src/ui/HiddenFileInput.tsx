import type { InputHTMLAttributes, Ref } from 'react';

export interface HiddenFileInputProps extends Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'type' | 'hidden' | 'onChange' | 'children'
> {
  ref?: Ref<HTMLInputElement>;
  /** Pick a folder (webkitdirectory): its files, each with its webkitRelativePath. */
  directory?: boolean;
  /** The picked files; not called when none were picked. */
  onFiles: (files: File[]) => void;
}

/**
 * A file input out of sight, opened by a button elsewhere (`ref.current.click()`). It hands over what was picked and
 * then forgets it, so that picking the same file or folder again is a change too.
 */
export function HiddenFileInput({ directory, onFiles, ...input }: HiddenFileInputProps) {
  return (
    <input
      type="file"
      hidden
      {...(directory ? { webkitdirectory: '' } : {})}
      {...input}
      onChange={(e) => {
        const files = Array.from(e.target.files ?? []);
        e.target.value = '';
        if (files.length > 0) onFiles(files);
      }}
    />
  );
}
