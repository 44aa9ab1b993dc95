import { useEffect, useMemo, useState } from 'react';
import { findUnchangedTurns } from '../editor/change';
import { branchName, layoutGraph } from '../editor/history/graph';
import { countRepaint } from '../editor/mask';
import { selectActiveBundle, selectChangedShare, selectModelLoading } from '../editor/selectors';
import { differsFromDefaults } from '../editor/state';
import { COUNT_RANGE } from '../editor/actions/job';
import { useCurrentTurn, useGenerateBlocker, useHasMask, useOutsideDomain } from '../hooks/selectors';
import { useActions, useStudio, useStudioShallow, useStudioStore } from '../hooks/useStudio';
import { SAMPLES } from '../lib/samples';
import { ErrorBoundary } from '../ui/ErrorBoundary';
import { HistoryPanel } from '../ui/HistoryPanel';
import { MaskPanel } from '../ui/MaskPanel';
import { PromptBar } from '../ui/PromptBar';
import { ReferencePanel } from '../ui/ReferencePanel';
import { SidePanel } from '../ui/SidePanel';
import { TurnDetails } from '../ui/TurnDetails';
import { CanvasArea } from './CanvasArea';
import { addReferenceFiles, exportCurrentPng } from './commands';

function useElapsed(startedAt: number | null): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (startedAt === null) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [startedAt]);
  return startedAt === null ? 0 : Math.max(0, now - startedAt);
}

function LeftPanels() {
  const store = useStudioStore();
  const a = useActions();
  const s = useStudioShallow((st) => ({
    tool: st.tool,
    brush: st.brush,
    overlay: st.overlayVisible,
    mask: st.mask,
    rev: st.maskRevision,
    tree: st.tree,
    refs: st.references,
    images: st.images,
    job: st.job,
  }));
  const coverage = useMemo(() => (s.mask ? countRepaint(s.mask) / s.mask.data.length : 0), [s.mask, s.rev]);
  const disabled = !s.tree;
  return (
    <aside className="sidebar left" aria-label="Mask and references">
      <ErrorBoundary name="Mask panel">
        <MaskPanel
          tool={s.tool}
          size={s.brush.size}
          feather={s.brush.feather}
          overlayVisible={s.overlay}
          coverage={coverage}
          disabled={disabled || !!s.job}
          onTool={a.setTool}
          onSize={(size) => a.setBrush({ size })}
          onFeather={(feather) => a.setBrush({ feather })}
          onInvert={a.invertMask}
          onClear={a.clearMask}
          onToggleOverlay={a.toggleOverlay}
        />
      </ErrorBoundary>
      <ErrorBoundary name="References">
        <ReferencePanel
          references={s.refs.flatMap((r) => {
            const image = s.images[r.id];
            return image ? [{ id: r.id, image }] : [];
          })}
          disabled={disabled || !!s.job}
          onFiles={(files) => void addReferenceFiles(store, files)}
          onRemove={a.removeReference}
          onMove={a.moveReference}
        />
      </ErrorBoundary>
    </aside>
  );
}

function RightPanels() {
  const store = useStudioStore();
  const a = useActions();
  const s = useStudioShallow((st) => ({
    tree: st.tree,
    images: st.images,
    job: st.job,
    compare: st.compare,
    changedShare: selectChangedShare(st),
  }));
  const turn = useCurrentTurn();
  const graph = useMemo(() => (s.tree ? layoutGraph(s.tree) : null), [s.tree]);
  const unchanged = useMemo(
    () => (s.tree ? findUnchangedTurns(s.tree, s.images) : new Set<string>()),
    [s.tree, s.images],
  );
  const row = graph?.rows.find((r) => r.id === turn?.id);
  if (!s.tree || !turn || !graph || !row)
    return (
      <aside className="sidebar right empty" aria-label="History">
        <p className="hint">
          The history of your edits appears here: every turn, its instruction, seed and settings, with branches.
        </p>
      </aside>
    );
  return (
    <aside className="sidebar right" aria-label="History">
      <ErrorBoundary name="Turn details">
        <TurnDetails
          turn={turn}
          depth={row.depth}
          branch={branchName(row.branch)}
          mask={turn.mask}
          changedShare={s.changedShare}
          unchanged={unchanged.has(turn.id)}
          canCompare={!!turn.parentId}
          compare={s.compare}
          locked={!!s.job}
          onCompare={a.toggleCompare}
          onReuse={() => a.reuseTurn(turn.id)}
          onExportPng={() => void exportCurrentPng(store)}
          onDeleteBranch={() => {
            if (window.confirm('Delete this turn and every turn after it?')) a.deleteBranch(turn.id);
          }}
        />
      </ErrorBoundary>
      <ErrorBoundary name="History">
        <HistoryPanel
          graph={graph}
          nodes={s.tree.nodes}
          currentId={s.tree.currentId}
          images={s.images}
          unchanged={unchanged}
          branchName={branchName}
          locked={!!s.job}
          onSelect={a.selectTurn}
        />
      </ErrorBoundary>
    </aside>
  );
}

function Prompt() {
  const a = useActions();
  const s = useStudioShallow((st) => ({
    prompt: st.prompt,
    history: st.promptHistory,
    job: st.job,
    root: st.tree ? st.tree.nodes[st.tree.rootId]!.source : null,
    modelDefaults: selectActiveBundle(st)?.defaults ?? null,
    waiting: st.waitingForModel ? (selectModelLoading(st) ?? 1) : null,
  }));
  const custom = s.modelDefaults && s.prompt.sampling === 'custom' && differsFromDefaults(s.prompt, s.modelDefaults);
  const blocker = useGenerateBlocker();
  const hasMask = useHasMask();
  const outside = useOutsideDomain();
  const elapsed = useElapsed(s.job?.startedAt ?? null);
  const sample = SAMPLES.find((x) => s.root === `${x.title}.png`);
  return (
    <PromptBar
      prompt={s.prompt}
      history={s.history}
      blocker={blocker}
      waiting={s.waiting}
      hasMask={hasMask}
      suggestions={[...(sample?.suggestions ?? []), ...s.history.slice(0, 10)]}
      running={
        s.job
          ? { progress: s.job.progress, cancelling: s.job.cancelling, elapsedMs: elapsed, variation: s.job.variation }
          : null
      }
      domainNote={outside?.domain ? { model: outside.name, domain: outside.domain.description } : null}
      onAddModel={() => a.setView('models')}
      modelDefaults={custom ? s.modelDefaults : null}
      variationRange={COUNT_RANGE}
      onUseModelDefaults={a.useModelSampling}
      onChange={a.setPrompt}
      onGenerate={() => void a.generate()}
      onCancel={() => void a.cancel()}
      onNewSeed={() => a.setPrompt({ seed: crypto.getRandomValues(new Uint32Array(1))[0], seedMode: 'locked' })}
    />
  );
}

/** Below this width the side panels are drawers over the canvas: the same breakpoint as in app.css. */
const DRAWER_QUERY = '(max-width: 1099px)';

/** The editing workspace: mask and references on the left, canvas and prompt in the middle, history on the right. */
export function EditorView({ onOpenFile }: { onOpenFile: () => void }) {
  const a = useActions();
  const hasImage = useStudio((st) => !!st.tree);
  const drawer = useStudio((st) => st.drawer);
  useEffect(() => {
    // Where the panels become columns again an open drawer has nothing to show, but would still take an Escape.
    const narrow = window.matchMedia(DRAWER_QUERY);
    const follow = () => {
      if (!narrow.matches) a.setDrawer(null);
    };
    narrow.addEventListener('change', follow);
    return () => narrow.removeEventListener('change', follow);
  }, [a]);
  return (
    <div className="workspace">
      <SidePanel id="left-panel" side="left" open={drawer === 'left'}>
        <LeftPanels />
      </SidePanel>
      <main className="center" aria-label="Canvas">
        <ErrorBoundary name="Canvas">
          <CanvasArea onOpenFile={onOpenFile} />
        </ErrorBoundary>
        {hasImage && <Prompt />}
      </main>
      <SidePanel id="right-panel" side="right" open={drawer === 'right'}>
        <RightPanels />
      </SidePanel>
      {drawer && <div className="drawer-scrim" onClick={() => a.setDrawer(null)} aria-hidden="true" />}
    </div>
  );
}
