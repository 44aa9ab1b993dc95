/**
 * @file Picking files: folders for model bundles (showDirectoryPicker where available, else the
 * `<input webkitdirectory>` fallback). Bundle files are renamed to their path inside the bundle folder
 * (e.g. `dit/part0.onnx`), which is how BundleSource.files identifies them.
 */

interface DirectoryHandle {
  name: string;
  values(): AsyncIterable<
    { kind: 'file' | 'directory'; name: string; getFile?: () => Promise<File> } & DirectoryHandle
  >;
}

/** True where the File System Access API can pick a folder. */
export const hasDirectoryPicker = (): boolean =>
  typeof (window as unknown as { showDirectoryPicker?: unknown }).showDirectoryPicker === 'function';

const renamed = (file: File, path: string) =>
  new File([file], path, { type: file.type, lastModified: file.lastModified });

/** Asks for a folder and returns its files (recursively) named by their relative path; null if the user cancelled. */
export async function pickDirectoryFiles(): Promise<{ name: string; files: File[] } | null> {
  let root: DirectoryHandle;
  try {
    root = await (
      window as unknown as { showDirectoryPicker(o?: object): Promise<DirectoryHandle> }
    ).showDirectoryPicker({ mode: 'read' });
  } catch (e) {
    if ((e as Error).name === 'AbortError') return null;
    throw e;
  }
  const files: File[] = [];
  const walk = async (dir: DirectoryHandle, prefix: string) => {
    for await (const entry of dir.values()) {
      if (entry.kind === 'file' && entry.getFile) files.push(renamed(await entry.getFile(), prefix + entry.name));
      else if (entry.kind === 'directory') await walk(entry, `${prefix}${entry.name}/`);
    }
  };
  await walk(root, '');
  return { name: root.name, files };
}

/** Files from `<input webkitdirectory>`: drops the picked folder's own name from each relative path. */
export function filesFromDirectoryInput(files: File[]): { name: string; files: File[] } {
  const name = files[0]?.webkitRelativePath.split('/')[0] ?? 'folder';
  return { name, files: files.map((f) => renamed(f, f.webkitRelativePath.split('/').slice(1).join('/') || f.name)) };
}

/** Reads every entry of a dropped folder (readEntries answers in batches until an empty one). */
async function readDirectory(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

async function walkEntry(entry: FileSystemEntry, prefix: string, out: File[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push(renamed(file, prefix + entry.name));
  } else if (entry.isDirectory) {
    for (const child of await readDirectory(entry as FileSystemDirectoryEntry))
      await walkEntry(child, `${prefix}${entry.name}/`, out);
  }
}

/**
 * What was dropped (drag and drop), named like a picked folder: one folder gives its name and its files by their
 * path inside it; loose files (and folders beside them) are named by their path under the drop. Call it inside
 * the drop event: the browser empties `dataTransfer` once the handler returns, so the entries are taken at once.
 */
export function filesFromDrop(data: DataTransfer): Promise<{ name: string; files: File[] }> {
  const entries = Array.from(data.items)
    .map((item) => item.webkitGetAsEntry())
    .filter((e): e is FileSystemEntry => e !== null);
  return (async () => {
    const files: File[] = [];
    const only = entries.length === 1 ? entries[0]! : null;
    if (only?.isDirectory) {
      for (const child of await readDirectory(only as FileSystemDirectoryEntry)) await walkEntry(child, '', files);
      return { name: only.name, files };
    }
    for (const entry of entries) await walkEntry(entry, '', files);
    return { name: 'dropped files', files };
  })();
}
