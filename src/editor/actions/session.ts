/**
 * @file Session actions: open an image (a new session), references, walking the turn tree, and the
 * session list (open, rename, delete, import).
 */
import type { RgbaImage } from '../../../workers/api';
import { createTree, deleteBranch, getSubtree, redo, selectTurn, undo } from '../history/tree';
import type { HistoryTree, ImageRef } from '../history/types';
import { withoutToast } from '../notices';
import type { SessionSnapshot } from '../ports';
import { NO_MASK_HISTORY, type Drawer, type Notice, type StudioState, type View } from '../state';
import { fitViewport } from '../viewport';
import { omitKey, type ActionContext } from './context';

export interface SessionActions {
  /** Starts a new session whose root is this image (the open session stays saved). */
  openImage(name: string, image: RgbaImage): void;
  /** A dropped or pasted image: opens it when nothing is open, else asks whether it is a reference. */
  offerImage(name: string, image: RgbaImage): void;
  resolvePendingImage(choice: 'session' | 'reference' | null): void;
  addReference(name: string, image: RgbaImage): void;
  removeReference(id: string): void;
  /** Moves a reference up (-1) or down (+1) in the order the model sees them. */
  moveReference(id: string, delta: -1 | 1): void;
  selectTurn(id: string): void;
  undo(): void;
  redo(): void;
  deleteBranch(id: string): void;
  renameSession(name: string): void;
  openSession(id: string): Promise<void>;
  /**
   * Boot's restore of the last session: shown as restoring while it loads, and dropped if the user opens or starts
   * something meanwhile (their choice wins). Leaves the view as it is.
   */
  restoreSession(id: string): Promise<void>;
  deleteSession(id: string): Promise<void>;
  /** Adds an imported session (already validated, with fresh ids) and opens it. */
  addImportedSession(session: SessionSnapshot): Promise<void>;
  refreshSessions(): Promise<void>;
  closeSession(): void;
  setView(view: View): void;
  setHelpOpen(open: boolean): void;
  /** Opens one side panel as a drawer (closing the other), or closes it with null. */
  setDrawer(drawer: Drawer | null): void;
  report(notice: Notice | null): void;
  /** Takes one toast off the screen (its button, or an info toast's timer); the others stay. */
  dismissToast(id: number): void;
}

const stripExtension = (name: string) => name.replace(/\.[a-z0-9]{1,5}$/i, '') || 'Untitled';

export function createSessionActions(ctx: ActionContext<SessionActions>): SessionActions {
  const { get, set, deps } = ctx;
  /** Counts session switches; a session that finishes loading is shown only if no switch came after its own. */
  let switches = 0;

  /** The user opens, starts or closes a session: that wins over boot's restore, and over any load still running. */
  function claimSession(): number {
    if (get().restore.phase !== 'idle') set({ restore: { phase: 'idle' } });
    return ++switches;
  }

  /** Applies a new tree; refits the view and drops the draft mask when the image size changed. */
  function applyTree(tree: HistoryTree, extra: Partial<StudioState> = {}): void {
    const s = get();
    const before = s.tree ? s.tree.nodes[s.tree.currentId]?.image : null;
    const after = tree.nodes[tree.currentId]!.image;
    const sizeChanged = !before || before.width !== after.width || before.height !== after.height;
    set({
      tree,
      revision: s.revision + 1,
      ...extra,
      ...(sizeChanged
        ? {
            mask: null,
            maskRevision: s.maskRevision + 1,
            maskHistory: NO_MASK_HISTORY,
            viewport: fitViewport(after, s.viewSize),
            autoFit: true,
          }
        : {}),
      compare: s.compare && tree.nodes[tree.currentId]!.parentId !== null,
    });
  }

  function cancelRunningJob(): void {
    const job = get().job;
    if (job) void deps.engine.cancel(job.id).catch(() => undefined);
  }

  function loadSnapshot(session: SessionSnapshot, view: View = 'editor'): void {
    const root = session.tree.nodes[session.tree.currentId]!.image;
    set((s) => ({
      sessionId: session.id,
      sessionName: session.name,
      sessionCreatedAt: session.createdAt,
      tree: session.tree,
      images: session.images,
      masks: session.masks,
      references: session.draft.references,
      mask: session.draft.mask,
      maskHistory: NO_MASK_HISTORY,
      maskRevision: s.maskRevision + 1,
      revision: s.revision + 1,
      compare: false,
      pendingImage: null,
      job: null,
      prompt: { ...s.prompt, text: session.draft.prompt },
      viewport: fitViewport(root, s.viewSize),
      autoFit: true,
      view,
    }));
  }

  const actions: SessionActions = {
    openImage(name, image) {
      claimSession();
      cancelRunningJob();
      const id = deps.newId();
      const ref: ImageRef = { id: deps.newId(), width: image.width, height: image.height };
      const now = deps.now();
      const tree = createTree({
        id,
        createdAt: now,
        image: ref,
        source: name,
        instruction: '',
        params: null,
        mask: null,
        references: [],
        timing: null,
        model: null,
      });
      loadSnapshot({
        id: deps.newId(),
        name: stripExtension(name),
        createdAt: now,
        updatedAt: now,
        tree,
        images: { [ref.id]: image },
        masks: {},
        // A new image starts with an empty instruction: the last one was about another picture.
        draft: { mask: null, references: [], prompt: '' },
      });
    },
    offerImage(name, image) {
      if (!get().tree) actions.openImage(name, image);
      else set({ pendingImage: { name, image } });
    },
    resolvePendingImage(choice) {
      const pending = get().pendingImage;
      set({ pendingImage: null });
      if (!pending || !choice) return;
      if (choice === 'session') actions.openImage(pending.name, pending.image);
      else actions.addReference(pending.name, pending.image);
    },
    addReference(_name, image) {
      const s = get();
      if (!s.tree)
        return set({ notice: { severity: 'error', text: 'Open an image to edit before adding references.' } });
      const ref: ImageRef = { id: deps.newId(), width: image.width, height: image.height };
      set({ images: { ...s.images, [ref.id]: image }, references: [...s.references, ref], revision: s.revision + 1 });
    },
    removeReference(id) {
      const s = get();
      const stillUsed = Object.values(s.tree?.nodes ?? {}).some((n) => n.references.some((r) => r.id === id));
      set({
        references: s.references.filter((r) => r.id !== id),
        images: stillUsed ? s.images : omitKey(s.images, id),
        revision: s.revision + 1,
      });
    },
    moveReference(id, delta) {
      const s = get();
      const i = s.references.findIndex((r) => r.id === id);
      const j = i + delta;
      if (i < 0 || j < 0 || j >= s.references.length) return;
      const references = [...s.references];
      [references[i], references[j]] = [references[j]!, references[i]!];
      set({ references, revision: s.revision + 1 });
    },
    selectTurn(id) {
      const { tree, job } = get();
      if (tree && !job && tree.nodes[id]) applyTree(selectTurn(tree, id));
    },
    undo() {
      const { tree, job } = get();
      if (tree && !job) applyTree(undo(tree));
    },
    redo() {
      const { tree, job } = get();
      if (tree && !job) applyTree(redo(tree));
    },
    deleteBranch(id) {
      const s = get();
      if (!s.tree || s.job || !s.tree.nodes[id] || id === s.tree.rootId) return;
      const removed = getSubtree(s.tree, id);
      const tree = deleteBranch(s.tree, id);
      const keep = new Set([...s.references.map((r) => r.id)]);
      for (const n of Object.values(tree.nodes))
        for (const r of [n.image, n.mask, ...n.references]) if (r) keep.add(r.id);
      let images = s.images,
        masks = s.masks;
      for (const n of removed)
        for (const r of [n.image, n.mask, ...n.references])
          if (r && !keep.has(r.id)) {
            images = omitKey(images, r.id);
            masks = omitKey(masks, r.id);
          }
      applyTree(tree, { images, masks });
    },
    renameSession(name) {
      const s = get();
      const trimmed = name.trim().slice(0, 120);
      if (!s.sessionId || !trimmed || trimmed === s.sessionName) return;
      set({
        sessionName: trimmed,
        revision: s.revision + 1,
        sessions: s.sessions.map((m) => (m.id === s.sessionId ? { ...m, name: trimmed } : m)),
      });
    },
    async openSession(id) {
      if (id === get().sessionId) return set({ view: 'editor' });
      const ticket = claimSession();
      try {
        cancelRunningJob();
        const session = await deps.sessions.load(id);
        if (ticket === switches) loadSnapshot(session);
      } catch (e) {
        if (ticket !== switches) return;
        set({ notice: { severity: 'error', text: `That session could not be opened: ${(e as Error).message}` } });
      }
    },
    async restoreSession(id) {
      const ticket = ++switches;
      const name = get().sessions.find((m) => m.id === id)?.name ?? '';
      set({ restore: { phase: 'restoring', sessionId: id, name } });
      try {
        const session = await deps.sessions.load(id);
        // One step from "restoring" to the session, in the view the user is in now (a tab picked meanwhile stays).
        if (ticket === switches) loadSnapshot(session, get().view);
      } catch (e) {
        if (ticket === switches)
          set({
            notice: { severity: 'error', text: `Your last session could not be restored: ${(e as Error).message}` },
          });
      } finally {
        if (ticket === switches) set({ restore: { phase: 'idle' } });
      }
    },
    async deleteSession(id) {
      try {
        const restore = get().restore;
        if (id === get().sessionId || (restore.phase === 'restoring' && restore.sessionId === id))
          actions.closeSession();
        await deps.sessions.remove(id);
      } catch (e) {
        set({ notice: { severity: 'error', text: `That session could not be deleted: ${(e as Error).message}` } });
      }
      await actions.refreshSessions();
    },
    async addImportedSession(session) {
      const ticket = claimSession();
      try {
        await deps.sessions.save(session);
        if (ticket === switches) loadSnapshot(session);
        await actions.refreshSessions();
        set({
          notice: {
            severity: 'info',
            text: `Imported “${session.name}” (${Object.keys(session.tree.nodes).length} turns).`,
          },
        });
      } catch (e) {
        set({ notice: { severity: 'error', text: `The session could not be imported: ${(e as Error).message}` } });
      }
    },
    async refreshSessions() {
      try {
        set({ sessions: await deps.sessions.list() });
      } catch (e) {
        set({ notice: { severity: 'error', text: `Saved sessions could not be read: ${(e as Error).message}` } });
      }
    },
    closeSession() {
      claimSession();
      cancelRunningJob();
      set((s) => ({
        sessionId: null,
        sessionName: '',
        tree: null,
        images: {},
        masks: {},
        references: [],
        mask: null,
        maskRevision: s.maskRevision + 1,
        maskHistory: NO_MASK_HISTORY,
        compare: false,
        job: null,
        pendingImage: null,
      }));
    },
    setView: (view) => set({ view }),
    setHelpOpen: (helpOpen) => set({ helpOpen }),
    setDrawer: (drawer) => set({ drawer }),
    report: (notice) => set({ notice }),
    dismissToast: (id) => set((s) => ({ toasts: withoutToast(s.toasts, id) })),
  };
  return actions;
}
