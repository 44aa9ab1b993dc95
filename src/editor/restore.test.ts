import { describe, expect, it } from 'vitest';
import { createFakeEngine, createTestDeps, testImage } from '../testing/fakes';
import type { SessionPort, SessionSnapshot } from './ports';
import { selectSnapshot } from './selectors';
import { createStudioStore, selectSettings } from './store';

/**
 * Storage holding two saved sessions, "car" (the last one open) and "tree", whose loads wait until `release(id)`:
 * what the user does while a session restores can then be tested step by step.
 */
async function savedSessions() {
  const { deps } = createTestDeps(createFakeEngine());
  const first = createStudioStore(deps);
  await first.getState().boot();
  first.getState().openImage('tree.png', testImage(8, 8));
  await deps.sessions.save(selectSnapshot(first.getState())!);
  const treeId = first.getState().sessionId!;
  first.getState().openImage('car.png', testImage());
  await deps.sessions.save(selectSnapshot(first.getState())!);
  await deps.sessions.saveSettings(selectSettings(first.getState()));
  const carId = first.getState().sessionId!;

  const gates = new Map<string, () => void>();
  const sessions: SessionPort = {
    ...deps.sessions,
    load: async (id) => {
      await new Promise<void>((resolve) => gates.set(id, resolve));
      return deps.sessions.load(id);
    },
  };
  const store = createStudioStore({ ...deps, sessions });
  const s = () => store.getState();
  /** Lets the pending load of `id` finish, and waits until the store has taken it in. */
  const release = async (id: string) => {
    await until(() => gates.has(id));
    gates.get(id)!();
    gates.delete(id);
    await new Promise((r) => setTimeout(r, 0));
  };
  return { s, store, carId, treeId, release };
}

async function until(ok: () => boolean) {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 1));
  expect(ok()).toBe(true);
}

describe('restoring the last session at boot', () => {
  it('shows "checking", then "restoring" with its name, then the session in one step, never an empty start', async () => {
    const { s, store, carId, release } = await savedSessions();
    expect(s().restore).toEqual({ phase: 'checking' });
    const phases: string[] = [];
    store.subscribe((st) => {
      const label = `${st.restore.phase}:${st.tree ? 'session' : 'none'}`;
      if (phases[phases.length - 1] !== label) phases.push(label);
    });
    const booting = s().boot();
    await until(() => s().restore.phase === 'restoring');
    expect(s().restore).toEqual({ phase: 'restoring', sessionId: carId, name: 'car' });
    expect(s().ready).toBe(false);
    await release(carId);
    await booting;
    expect(s().sessionName).toBe('car');
    expect(s().ready).toBe(true);
    // Never idle without a session before it arrived (the start screen would have flashed), and the session arrives
    // in one change.
    expect(phases).toEqual(['checking:none', 'restoring:none', 'restoring:session', 'idle:session']);
  });

  it('with nothing to restore, goes straight from checking to idle', async () => {
    const store = createStudioStore(createTestDeps().deps);
    await store.getState().boot();
    expect(store.getState().restore).toEqual({ phase: 'idle' });
    expect(store.getState().tree).toBeNull();
  });

  it('keeps a tab the user picked while it loads', async () => {
    const { s, carId, release } = await savedSessions();
    const booting = s().boot();
    await until(() => s().restore.phase === 'restoring');
    s().setView('sessions');
    await release(carId);
    await booting;
    expect(s().sessionName).toBe('car'); // restored…
    expect(s().view).toBe('sessions'); // …where the user is
  });

  it('an image opened while it loads wins: the restore is dropped, and the new session is saved', async () => {
    const { s, carId, release } = await savedSessions();
    const booting = s().boot();
    await until(() => s().restore.phase === 'restoring');
    s().openImage('sample.png', testImage(10, 10));
    expect(s().restore).toEqual({ phase: 'idle' });
    const revision = s().revision;
    await release(carId);
    await booting;
    expect(s().sessionName).toBe('sample');
    expect(s().tree!.nodes[s().tree!.rootId]!.source).toBe('sample.png');
    // The autosave ignores changes before `ready`; boot counts the user's session as changed once it is.
    expect(s().revision).toBe(revision + 1);
  });

  it('a session picked in the list while it loads wins, even when the restore finishes last', async () => {
    const { s, carId, treeId, release } = await savedSessions();
    const booting = s().boot();
    await until(() => s().restore.phase === 'restoring');
    const opening = s().openSession(treeId);
    await release(treeId);
    await opening;
    expect(s().sessionName).toBe('tree');
    await release(carId);
    await booting;
    expect(s().sessionName).toBe('tree');
    expect(s().view).toBe('editor');
  });

  it('"New" while it loads leaves the start screen; deleting the session being restored drops the restore', async () => {
    const a = await savedSessions();
    const booting = a.s().boot();
    await until(() => a.s().restore.phase === 'restoring');
    a.s().closeSession();
    await a.release(a.carId);
    await booting;
    expect(a.s().tree).toBeNull();

    const b = await savedSessions();
    const again = b.s().boot();
    await until(() => b.s().restore.phase === 'restoring');
    const deleting = b.s().deleteSession(b.carId);
    await b.release(b.carId);
    await Promise.all([again, deleting]);
    expect(b.s().tree).toBeNull();
    expect(b.s().sessions.map((m) => m.name)).toEqual(['tree']);
  });

  it('of two sessions opened in a row, the later one is shown whatever order their loads finish in', async () => {
    const { s, carId, treeId, release } = await savedSessions();
    const booting = s().boot();
    await until(() => s().restore.phase === 'restoring');
    s().closeSession();
    await release(carId);
    await booting;
    const slow = s().openSession(treeId);
    const fast = s().openSession(carId);
    await release(carId);
    await fast;
    await release(treeId);
    await slow;
    expect(s().sessionName).toBe('car');
  });

  it('a session that cannot be read is reported, and the start screen shows', async () => {
    const { deps } = createTestDeps(createFakeEngine());
    await deps.sessions.saveSettings({ ...(await deps.sessions.loadSettings()), lastSessionId: 'x' } as never);
    const broken: SessionPort = {
      ...deps.sessions,
      list: async () => [{ id: 'x', name: 'Lost', createdAt: 0, updatedAt: 0, turns: 1, thumbnail: null }],
      load: async (): Promise<SessionSnapshot> => {
        throw new Error('an image it needs is missing');
      },
    };
    const store = createStudioStore({ ...deps, sessions: broken });
    await store.getState().boot();
    expect(store.getState().restore).toEqual({ phase: 'idle' });
    expect(store.getState().notice?.text).toBe('Your last session could not be restored: an image it needs is missing');
  });
});
