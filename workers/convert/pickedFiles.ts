/**
 * @file The converter's input in the browser: picked or dropped `File`s (each named by its path inside the
 * picked folder, as src/lib/files.ts renames them) as an InputFolder; reads are `Blob.slice().arrayBuffer()`,
 * so a 24 GB checkpoint is never loaded whole.
 */
import type { ByteSource, InputFolder } from '../../tools/convert/io/inputFolder';

/** The files under a root named `name` (the picked folder's name), paths `name/<file.name>`. */
export function openPickedFiles(name: string, files: readonly File[]): InputFolder {
  const root = name.replace(/\/+$/, '') || 'picked';
  const byPath = new Map<string, File>();
  const children = new Map<string, Set<string>>();
  for (const f of files) {
    const parts = [root, ...f.name.split('/').filter((p) => p.length > 0)];
    byPath.set(parts.join('/'), f);
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!children.has(dir)) children.set(dir, new Set());
      children.get(dir)!.add(parts[i]!);
    }
  }
  return {
    dir: root,
    list: (path) => [...(children.get(path) ?? [])],
    isDir: (path) => children.has(path),
    exists: (path) => children.has(path) || byPath.has(path),
    async open(path): Promise<ByteSource> {
      const file = byPath.get(path);
      if (!file) throw new Error(`${path}: no such file among the picked files`);
      return {
        path,
        size: file.size,
        read: async (offset, length) => new Uint8Array(await file.slice(offset, offset + length).arrayBuffer()),
        close: async () => undefined,
      };
    },
  };
}
