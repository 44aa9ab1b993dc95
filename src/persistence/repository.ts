/**
 * @file Sessions in storage. A save writes every missing image/mask Blob first and the session record
 * last, so a record never points at a Blob that is not there: a crash mid-save leaves the previous record
 * (and some orphan Blobs, swept on the next start). Images are immutable by id and written once.
 */
import type { ImageRef } from '../editor/history/types';
import { getImageRefs, validateTree } from '../editor/history/tree';
import type { SessionMeta, SessionPort, SessionSnapshot, Settings } from '../editor/ports';
import { decodeImageBlob, decodeMaskBlob, downscale, encodeImageBlob, encodeMaskBlob, hashBytes } from './codec';
import type { KeyValue } from './kv';

const SESSION_RECORD_VERSION = 1;

/** What is stored per session (the tree refers to Blobs by ImageRef id). */
interface SessionRecord {
  format: 'kontext-session';
  version: number;
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  tree: SessionSnapshot['tree'];
  draft: { mask: ImageRef | null; references: ImageRef[]; prompt: string };
  /** Every Blob key this record needs. */
  blobKeys: string[];
  thumbnail: Blob | null;
}

interface StoredBlob {
  kind: 'image' | 'mask';
  blob: Blob;
}

export interface RepositoryStores {
  records: KeyValue;
  blobs: KeyValue;
  settings: KeyValue;
}

const blobKey = (sessionId: string, imageId: string) => `${sessionId}/${imageId}`;

export function createSessionRepository(
  stores: RepositoryStores,
  now: () => number = Date.now,
): SessionPort & { sweep(): Promise<number> } {
  const written = new Map<string, Set<string>>();
  let queue: Promise<unknown> = Promise.resolve();
  /** IndexedDB writes for one session must not interleave: run every mutation in order. */
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  async function writtenFor(sessionId: string): Promise<Set<string>> {
    let set = written.get(sessionId);
    if (!set) {
      set = new Set((await stores.blobs.keys()).filter((k) => k.startsWith(`${sessionId}/`)));
      written.set(sessionId, set);
    }
    return set;
  }

  async function save(s: SessionSnapshot): Promise<void> {
    const problems = validateTree(s.tree);
    if (problems.length) throw new Error(`refusing to save a broken tree: ${problems.join('; ')}`);
    const have = await writtenFor(s.id);
    const needed = new Set<string>();
    const put = async (key: string, make: () => Promise<StoredBlob>) => {
      needed.add(key);
      if (have.has(key)) return;
      await stores.blobs.set(key, await make());
      have.add(key);
    };
    const masks = new Set(Object.values(s.tree.nodes).flatMap((n) => (n.mask ? [n.mask.id] : [])));
    for (const ref of [...getImageRefs(s.tree), ...s.draft.references]) {
      const isMask = masks.has(ref.id);
      const pixels = isMask ? s.masks[ref.id] : s.images[ref.id];
      if (!pixels) throw new Error(`the ${isMask ? 'mask' : 'image'} ${ref.id} is missing from the session`);
      await put(blobKey(s.id, ref.id), async () =>
        isMask
          ? { kind: 'mask', blob: await encodeMaskBlob(s.masks[ref.id]!) }
          : { kind: 'image', blob: await encodeImageBlob(s.images[ref.id]!) },
      );
    }
    let draftMask: ImageRef | null = null;
    if (s.draft.mask) {
      const blob = await encodeMaskBlob(s.draft.mask);
      draftMask = {
        id: `draft-mask-${hashBytes(new Uint8Array(await blob.arrayBuffer()))}`,
        width: s.draft.mask.width,
        height: s.draft.mask.height,
      };
      await put(blobKey(s.id, draftMask.id), async () => ({ kind: 'mask', blob }));
    }
    const current = s.images[s.tree.nodes[s.tree.currentId]!.image.id];
    const record: SessionRecord = {
      format: 'kontext-session',
      version: SESSION_RECORD_VERSION,
      id: s.id,
      name: s.name,
      createdAt: s.createdAt,
      updatedAt: now(),
      tree: s.tree,
      draft: { mask: draftMask, references: s.draft.references, prompt: s.draft.prompt },
      blobKeys: [...needed],
      thumbnail: current ? await encodeImageBlob(downscale(current, 96)) : null,
    };
    await stores.records.set(s.id, record); // the commit point
    for (const key of [...have])
      if (!needed.has(key)) {
        await stores.blobs.del(key); // old draft masks, deleted branches
        have.delete(key);
      }
  }

  async function load(id: string): Promise<SessionSnapshot> {
    const record = await stores.records.get<SessionRecord>(id);
    if (!record) throw new Error('it is no longer stored');
    if (record.format !== 'kontext-session' || record.version > SESSION_RECORD_VERSION)
      throw new Error('it was saved by a newer version of Kontext Studio');
    const images: SessionSnapshot['images'] = {},
      masks: SessionSnapshot['masks'] = {};
    for (const key of record.blobKeys) {
      const stored = await stores.blobs.get<StoredBlob>(key);
      if (!stored) throw new Error(`an image it needs (${key}) is missing`);
      const imageId = key.slice(id.length + 1);
      if (stored.kind === 'mask') masks[imageId] = await decodeMaskBlob(stored.blob);
      else images[imageId] = await decodeImageBlob(stored.blob);
    }
    const draftMask = record.draft.mask ? (masks[record.draft.mask.id] ?? null) : null;
    if (record.draft.mask) delete masks[record.draft.mask.id];
    return {
      id,
      name: record.name,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      tree: record.tree,
      images,
      masks,
      draft: { mask: draftMask, references: record.draft.references, prompt: record.draft.prompt },
    };
  }

  async function list(): Promise<SessionMeta[]> {
    const metas: SessionMeta[] = [];
    for (const key of await stores.records.keys()) {
      const r = await stores.records.get<SessionRecord>(key);
      if (r?.format === 'kontext-session')
        metas.push({
          id: r.id,
          name: r.name,
          createdAt: r.createdAt,
          updatedAt: r.updatedAt,
          turns: Object.keys(r.tree.nodes).length,
          thumbnail: r.thumbnail,
        });
    }
    return metas.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async function remove(id: string): Promise<void> {
    await stores.records.del(id); // first: from here on the session is gone, whatever happens to its Blobs
    for (const key of await stores.blobs.keys()) if (key.startsWith(`${id}/`)) await stores.blobs.del(key);
    written.delete(id);
  }

  return {
    save: (s) => serial(() => save(s)),
    load: (id) => serial(() => load(id)),
    list: () => serial(list),
    remove: (id) => serial(() => remove(id)),
    rename: (id, name) =>
      serial(async () => {
        const r = await stores.records.get<SessionRecord>(id);
        if (r) await stores.records.set(id, { ...r, name });
      }),
    loadSettings: async () => (await stores.settings.get<Partial<Settings>>('settings')) ?? {},
    saveSettings: (settings) => stores.settings.set('settings', settings),
    /** Deletes Blobs whose session record is gone (left by a crash mid-save or mid-delete). */
    sweep: () =>
      serial(async () => {
        const ids = new Set(await stores.records.keys());
        let n = 0;
        for (const key of await stores.blobs.keys())
          if (!ids.has(key.slice(0, key.indexOf('/')))) {
            await stores.blobs.del(key);
            n++;
          }
        return n;
      }),
  };
}
