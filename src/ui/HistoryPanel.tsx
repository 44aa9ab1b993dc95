import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { RgbaImage } from '../../workers/api';
import type { GraphRow, TreeGraph } from '../editor/history/graph';
import type { TurnNode } from '../editor/history/types';
import { ImageThumb } from './ImageThumb';
import { branchColour, TurnGraph } from './TurnGraph';

export interface HistoryPanelProps {
  graph: TreeGraph;
  nodes: Record<string, TurnNode>;
  currentId: string;
  images: Record<string, RgbaImage>;
  /** Turns whose edit changed (almost) no pixels: marked, so a no-op does not pass for a real turn. */
  unchanged: ReadonlySet<string>;
  /** Branch names by number (0, the main line, has none): the app names them, e.g. A, B, … */
  branchName: (branch: number) => string;
  locked: boolean;
  onSelect: (id: string) => void;
}

/** "Turn 2" / "Original": turns are numbered by their distance from the opened image. */
export const turnTitle = (depth: number): string => (depth === 0 ? 'Original' : `Turn ${depth}`);

/**
 * The turn tree as a commit graph: one row per turn, children under their parent, branches forking off in lanes.
 * An ARIA tree with one tab stop: ↑/↓ move between rows, ← to the parent, → to the first child, Home/End, and
 * Enter or Space shows the focused turn. Nodes cannot be collapsed (every turn stays visible), so no aria-expanded.
 */
export function HistoryPanel(p: HistoryPanelProps) {
  const { rows, lanes } = p.graph;
  const listRef = useRef<HTMLOListElement>(null);
  const [focusId, setFocusId] = useState(p.currentId);
  const focusable = rows.some((r) => r.id === focusId) ? focusId : p.currentId;

  // The shown turn changed (undo, a new edit, a click): the tab stop follows it and it scrolls into view.
  useEffect(() => {
    setFocusId(p.currentId);
    rowElement(listRef.current, p.currentId)?.scrollIntoView?.({ block: 'nearest' });
  }, [p.currentId]);

  const moveFocus = (id: string | undefined) => {
    if (!id) return;
    setFocusId(id);
    rowElement(listRef.current, id)?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLLIElement>, row: GraphRow, index: number) => {
    const target: Record<string, () => string | undefined> = {
      ArrowDown: () => rows[index + 1]?.id,
      ArrowUp: () => rows[index - 1]?.id,
      // Depth-first order puts a turn's first child right under it.
      ArrowRight: () => (rows[index + 1]?.parentId === row.id ? rows[index + 1]!.id : undefined),
      ArrowLeft: () => row.parentId ?? undefined,
      Home: () => rows[0]?.id,
      End: () => rows[rows.length - 1]?.id,
    };
    if (e.key in target) {
      e.preventDefault();
      moveFocus(target[e.key]!());
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      if (!p.locked) p.onSelect(row.id);
    }
  };

  return (
    <section className="panel history" aria-labelledby="history-title">
      <header className="panel-head">
        <h2 id="history-title">History</h2>
        <span className="panel-meta">
          {rows.length - 1} edit{rows.length === 2 ? '' : 's'}
        </span>
      </header>
      <ol ref={listRef} className="history-tree" role="tree" aria-labelledby="history-title" data-testid="history-tree">
        {rows.map((row, index) => {
          const n = p.nodes[row.id]!;
          const current = row.id === p.currentId;
          const branch = p.branchName(row.branch);
          const forkFrom = row.branchStart && row.parentId ? turnTitle(row.depth - 1) : null;
          const unchanged = p.unchanged.has(row.id);
          const text = row.depth === 0 ? n.source : n.instruction;
          const label = [
            turnTitle(row.depth),
            branch && `branch ${branch}${forkFrom ? ` from ${forkFrom}` : ''}`,
            unchanged && 'no change',
            current && 'shown',
          ].filter(Boolean);
          return (
            <li
              key={row.id}
              role="treeitem"
              aria-level={row.depth + 1}
              aria-posinset={row.sibling.index}
              aria-setsize={row.sibling.count}
              aria-selected={current}
              aria-current={current ? 'step' : undefined}
              aria-disabled={p.locked && !current ? true : undefined}
              aria-label={`${label.join(', ')}: ${text}`}
              tabIndex={row.id === focusable ? 0 : -1}
              className={`tree-row${current ? ' current' : ''}${row.onCurrentPath ? ' on-path' : ''}`}
              data-testid="turn"
              data-turn-id={row.id}
              data-depth={row.depth}
              data-branch={branch || undefined}
              data-unchanged={unchanged || undefined}
              onClick={() => {
                setFocusId(row.id);
                if (!p.locked) p.onSelect(row.id);
              }}
              onKeyDown={(e) => onKeyDown(e, row, index)}
            >
              <TurnGraph row={row} lanes={lanes} />
              <ImageThumb image={p.images[n.image.id] ?? null} size={40} label="" />
              <span className="turn-text">
                <span className="turn-title">
                  <span className="turn-number">{turnTitle(row.depth)}</span>
                  {branch && (
                    <span className={`branch-chip ${branchColour(row.branch)}`} title={`Branch ${branch}`}>
                      {branch}
                    </span>
                  )}
                  {forkFrom && <span className="fork-from">from {forkFrom}</span>}
                  {n.mask && <span className="tag">mask</span>}
                  {n.references.length > 0 && <span className="tag">+{n.references.length} ref</span>}
                  {unchanged && (
                    <span className="tag no-change" title="This edit changed less than 0.5 % of the pixels">
                      no change
                    </span>
                  )}
                </span>
                <span className="turn-instruction">{text}</span>
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function rowElement(list: HTMLElement | null, id: string): HTMLElement | null {
  return list?.querySelector<HTMLElement>(`[data-turn-id="${CSS.escape(id)}"]`) ?? null;
}
