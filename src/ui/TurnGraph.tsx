import type { GraphLine, GraphRow } from '../editor/history/graph';

/** Width of one lane in CSS px. */
const LANE_WIDTH = 14;
/** Branch colours cycle through this many classes (history.css: .branch-0 …). */
const PALETTE = 6;

const x = (lane: number) => lane * LANE_WIDTH + LANE_WIDTH / 2;
/** The colour class of a branch's lines, dot and name chip. */
export const branchColour = (branch: number): string => `branch-${branch % PALETTE}`;
const colour = (l: Pick<GraphLine, 'branch'>) => branchColour(l.branch);

/**
 * One row's slice of the commit graph. The SVG spans the row's height in a 0–100 box stretched to fit (strokes do
 * not scale), so the rows can be any height; the dot is an HTML element so it stays round.
 */
export function TurnGraph({ row, lanes }: { row: GraphRow; lanes: number }) {
  const width = lanes * LANE_WIDTH;
  const here = x(row.lane);
  const line = (l: GraphLine, d: string, key: string) => (
    <path key={key} d={d} className={`${colour(l)}${l.onPath ? ' on-path' : ''}`} vectorEffect="non-scaling-stroke" />
  );
  return (
    <span className="turn-graph" style={{ width }} aria-hidden="true">
      <svg width={width} height="100%" viewBox={`0 0 ${width} 100`} preserveAspectRatio="none">
        {row.through.map((l, i) => line(l, `M${x(l.lane)},0 V100`, `t${i}`))}
        {row.parentId !== null &&
          line({ lane: row.lane, branch: row.branch, onPath: row.onCurrentPath }, `M${here},0 V50`, 'in')}
        {row.children.map((l, i) =>
          line(
            l,
            l.lane === row.lane
              ? `M${here},50 V100`
              : // A fork: out of the dot, then down into the branch's lane by the bottom of the row.
                `M${here},50 C${here},85 ${x(l.lane)},65 ${x(l.lane)},100`,
            `c${i}`,
          ),
        )}
      </svg>
      <span className={`graph-dot ${colour(row)}`} style={{ left: here }} />
    </span>
  );
}
