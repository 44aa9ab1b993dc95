/**
 * @file One-file session export/import (`.kontext`). Layout, all integers big-endian:
 *   "KSESSION" (8 bytes) | u32 format version | u32 header length | header JSON (UTF-8) | PNG blobs back to back.
 * The header holds the tree, the draft and a table of blobs (name, kind, offset, length). Import checks the
 * magic, the version, the tree, every blob's presence, PNG validity and size, and gives the session a new id,
 * so an import never overwrites or corrupts a stored session.
 */
import { getImageRefs, validateTree } from '../editor/history/tree';
import type { HistoryTree, ImageRef } from '../editor/history/types';
import type { SessionSnapshot } from '../editor/ports';
import { decodeImageBlob, decodeMaskBlob, encodeImageBlob, encodeMaskBlob } from './codec';

const MAGIC = 'KSESSION';
const SESSION_FILE_VERSION = 1;
export const SESSION_FILE_EXTENSION = '.kontext';

interface BlobEntry {
  id: string;
  kind: 'image' | 'mask';
  offset: number;
  length: number;
  width: number;
  height: number;
}

interface Header {
  app: 'Kontext Studio';
  name: string;
  createdAt: number;
  exportedAt: number;
  tree: HistoryTree;
  draft: { mask: string | null; references: ImageRef[]; prompt: string };
  blobs: BlobEntry[];
}

/** A file that is not a session we can read; the message says why. */
export class SessionFileError extends Error {}

/** Packs a session into one file. */
export async function exportSessionFile(s: SessionSnapshot, now: number): Promise<Blob> {
  const parts: Blob[] = [];
  const blobs: BlobEntry[] = [];
  let offset = 0;
  const add = (id: string, kind: 'image' | 'mask', blob: Blob, width: number, height: number) => {
    blobs.push({ id, kind, offset, length: blob.size, width, height });
    parts.push(blob);
    offset += blob.size;
  };
  const maskIds = new Set(Object.values(s.tree.nodes).flatMap((n) => (n.mask ? [n.mask.id] : [])));
  for (const ref of new Map([...getImageRefs(s.tree), ...s.draft.references].map((r) => [r.id, r])).values()) {
    if (maskIds.has(ref.id)) add(ref.id, 'mask', await encodeMaskBlob(s.masks[ref.id]!), ref.width, ref.height);
    else add(ref.id, 'image', await encodeImageBlob(s.images[ref.id]!), ref.width, ref.height);
  }
  let draftMask: string | null = null;
  if (s.draft.mask) {
    draftMask = 'draft-mask';
    add(draftMask, 'mask', await encodeMaskBlob(s.draft.mask), s.draft.mask.width, s.draft.mask.height);
  }
  const header: Header = {
    app: 'Kontext Studio',
    name: s.name,
    createdAt: s.createdAt,
    exportedAt: now,
    tree: s.tree,
    draft: { mask: draftMask, references: s.draft.references, prompt: s.draft.prompt },
    blobs,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const head = new Uint8Array(16);
  head.set(Array.from(MAGIC, (c) => c.charCodeAt(0)));
  new DataView(head.buffer).setUint32(8, SESSION_FILE_VERSION);
  new DataView(head.buffer).setUint32(12, json.length);
  return new Blob([head, json, ...parts], { type: 'application/x-kontext-session' });
}

/**
 * Reads and fully validates a session file.
 * @param newId - fresh id for the imported session
 * @throws SessionFileError when anything is wrong; nothing is stored by this function.
 */
export async function importSessionFile(file: Blob, newId: string, now: number): Promise<SessionSnapshot> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.length < 16 || String.fromCharCode(...bytes.subarray(0, 8)) !== MAGIC)
    throw new SessionFileError('this is not a Kontext Studio session file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8);
  if (version > SESSION_FILE_VERSION)
    throw new SessionFileError(`it was made by a newer Kontext Studio (format ${version}); update the app`);
  if (version < 1) throw new SessionFileError(`unknown format version ${version}`);
  const headerLength = view.getUint32(12);
  if (16 + headerLength > bytes.length) throw new SessionFileError('the file is truncated');
  let header: Header;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + headerLength)),
    ) as Header;
  } catch {
    throw new SessionFileError('its header is damaged');
  }
  if (!header || !Array.isArray(header.blobs) || !header.draft || typeof header.name !== 'string')
    throw new SessionFileError('its header is incomplete');
  const problems = validateTree(header.tree);
  if (problems.length) throw new SessionFileError(`its edit tree is damaged (${problems[0]})`);

  const base = 16 + headerLength;
  const entries = new Map(header.blobs.map((b) => [b.id, b]));
  const slice = (e: BlobEntry) => {
    if (
      !Number.isInteger(e.offset) ||
      !Number.isInteger(e.length) ||
      e.offset < 0 ||
      base + e.offset + e.length > bytes.length
    )
      throw new SessionFileError('the file is truncated');
    return new Blob([bytes.subarray(base + e.offset, base + e.offset + e.length)]);
  };
  const images: SessionSnapshot['images'] = {},
    masks: SessionSnapshot['masks'] = {};
  const maskIds = new Set(Object.values(header.tree.nodes).flatMap((n) => (n.mask ? [n.mask.id] : [])));
  for (const ref of [...getImageRefs(header.tree), ...header.draft.references]) {
    const e = entries.get(ref.id);
    if (!e) throw new SessionFileError(`an image it needs (${ref.id}) is missing`);
    const expected = maskIds.has(ref.id) ? 'mask' : 'image';
    if (e.kind !== expected) throw new SessionFileError(`${ref.id} should be an ${expected}`);
    try {
      const px = expected === 'mask' ? await decodeMaskBlob(slice(e)) : await decodeImageBlob(slice(e));
      if (px.width !== ref.width || px.height !== ref.height)
        throw new SessionFileError(`${ref.id} is ${px.width}×${px.height}, the tree says ${ref.width}×${ref.height}`);
      if (expected === 'mask') masks[ref.id] = px as SessionSnapshot['masks'][string];
      else images[ref.id] = px as SessionSnapshot['images'][string];
    } catch (err) {
      throw err instanceof SessionFileError
        ? err
        : new SessionFileError(`the image ${ref.id} is damaged (${(err as Error).message})`);
    }
  }
  let draftMask = null;
  if (header.draft.mask) {
    const e = entries.get(header.draft.mask);
    if (!e || e.kind !== 'mask') throw new SessionFileError('its draft mask is missing');
    draftMask = await decodeMaskBlob(slice(e)).catch(() => {
      throw new SessionFileError('its draft mask is damaged');
    });
  }
  return {
    id: newId,
    name: header.name.slice(0, 120) || 'Imported session',
    createdAt: Number(header.createdAt) || now,
    updatedAt: now,
    tree: header.tree,
    images,
    masks,
    draft: { mask: draftMask, references: header.draft.references, prompt: String(header.draft.prompt ?? '') },
  };
}
