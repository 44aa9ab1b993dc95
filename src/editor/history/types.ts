import type { Backend, JobPhase } from '../../../workers/api';

/** A stored image (pixels or a mask), by id; the pixels live in the session's image table. */
export interface ImageRef {
  id: string;
  width: number;
  height: number;
}

/** The parameters an edit ran with (seed as used, after "random" was resolved). */
interface TurnParams {
  steps: number;
  guidance: number;
  /** Runs averaged into the result; absent on turns made before the option existed (one run). */
  average?: number;
  seed: number;
  size: 'input' | 'native';
  /** Whether unchanged pixels were copied back from the input; absent on turns made before the option existed (they were not). */
  keepUnchanged?: boolean;
}

/** Which model made a turn, and where. */
interface TurnModel {
  bundleId: string;
  bundleName: string;
  backend: Backend;
}

/** Wall time of one edit, ms. */
interface TurnTiming {
  totalMs: number;
  phases: Partial<Record<JobPhase, number>>;
}

/**
 * One node of the edit tree. The root holds the opened image (instruction ''); every other node is the
 * result of one edit of its parent's image.
 */
export interface TurnNode {
  id: string;
  parentId: string | null;
  /** In creation order. */
  childIds: string[];
  createdAt: number;
  image: ImageRef;
  /** Where the root came from (a file name or a sample title); '' for edits. */
  source: string;
  instruction: string;
  params: TurnParams | null;
  /** The mask the edit used (≥ 128 = repaint), at the parent image's size. */
  mask: ImageRef | null;
  /** Extra references, in order: they were reference 2, 3, … to the model. */
  references: ImageRef[];
  timing: TurnTiming | null;
  model: TurnModel | null;
}

/** The turn tree of one session. Immutable: every function in tree.ts returns a new tree. */
export interface HistoryTree {
  rootId: string;
  /** The node on the canvas; the next edit starts from it. */
  currentId: string;
  nodes: Record<string, TurnNode>;
  /** Per node, the child that redo walks to: the one last created or visited below it. */
  redoTo: Record<string, string>;
}

/** A turn before it is linked into the tree. */
export type NewTurn = Omit<TurnNode, 'parentId' | 'childIds'>;
