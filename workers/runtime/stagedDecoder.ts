/**
 * @file Runs the staged AE decoder's graphs (workers/bundle/aeStages.ts) for workers/kontext/stagedDecode.ts, fed per
 * docs/graph-contract.md § Staged AE decoder, outputs read back to the CPU (the next stage's tiles are cut from the
 * whole picture there). The stages run in order, every tile of one before the next, so one session at a time is
 * open: the staged decode never holds more weights than the whole decoder.
 */
import type { AeDecoderStage } from '../bundle/aeStages';
import type { GraphFiles } from '../bundle/manifest';
import type { StageFeeds, StageResult } from '../kontext/stagedDecode';
import type { Ort, OrtSession, OrtTensor } from './ort';

/** The `run` of runStagedDecoder() on sessions from `openGraph`, and `release` for the last one open. */
export function createStageRunner(
  ort: Ort,
  stages: readonly AeDecoderStage[],
  openGraph: (graph: GraphFiles) => Promise<OrtSession>,
  read: (tensor: OrtTensor | undefined, what: string) => Promise<Float32Array>,
): { run: (index: number, feeds: StageFeeds) => Promise<StageResult>; release: () => Promise<void> } {
  let current: { index: number; session: OrtSession } | null = null;
  const release = async () => {
    const open = current;
    current = null;
    await open?.session.release();
  };
  const sessionFor = async (index: number) => {
    if (current?.index === index) return current.session;
    await release();
    const session = await openGraph(stages[index]!.graph);
    current = { index, session };
    return session;
  };
  const run = async (index: number, feeds: StageFeeds): Promise<StageResult> => {
    const stage = stages[index]!;
    const session = await sessionFor(index);
    const channels = feeds.x.dims[1];
    const int64 = (v: [number, number]) => new ort.Tensor('int64', BigInt64Array.from(v.map(BigInt)), [2]);
    const values: Record<string, OrtTensor> = {
      x: new ort.Tensor('float32', feeds.x.data, feeds.x.dims),
      core_start: int64(feeds.coreStart),
      core_end: int64(feeds.coreEnd),
    };
    if (feeds.norm) {
      values.mean = new ort.Tensor('float32', feeds.norm.mean, [1, channels, 1, 1]);
      values.rstd = new ort.Tensor('float32', feeds.norm.rstd, [1, channels, 1, 1]);
    }
    if (feeds.skip) values.skip = new ort.Tensor('float32', feeds.skip.data, feeds.skip.dims);
    const out = await session.run(values);
    return {
      y: await read(out.y, `${stage.output}: y`),
      sum: await read(out.sum, `${stage.output}: sum`),
      sumSquares: await read(out.sum_squares, `${stage.output}: sum_squares`),
    };
  };
  return { run, release };
}
