/**
 * @file Runs the staged AE decoder's graphs (workers/bundle/aeStages.ts) for workers/kontext/stagedDecode.ts: one
 * session per stage, fed per docs/graph-contract.md § Staged AE decoder, outputs read back to the CPU (the next
 * stage's tiles are cut from the whole picture there).
 */
import { EngineError } from '../api/errors';
import type { AeDecoderStage } from '../bundle/aeStages';
import type { GraphFiles } from '../bundle/manifest';
import type { StageFeeds, StageResult } from '../kontext/stagedDecode';
import type { Ort, OrtSession, OrtTensor } from './ort';

/** The `run` of runStagedDecoder() on onnxruntime sessions opened by `open` (keyed `aeDecoder.stageNN`). */
export function createStageRunner(
  ort: Ort,
  stages: readonly AeDecoderStage[],
  open: (key: string, graph: GraphFiles) => Promise<OrtSession>,
  read: (tensor: OrtTensor | undefined, what: string) => Promise<Float32Array>,
): (index: number, feeds: StageFeeds) => Promise<StageResult> {
  return async (index, feeds) => {
    const stage = stages[index]!;
    const session = await open(`aeDecoder.stage${index}`, stage.graph);
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
    const [y, sum, sumSquares] = await Promise.all(
      (['y', 'sum', 'sum_squares'] as const).map((name) => read(out[name], `${stage.output}: ${name}`)),
    );
    if (!y || !sum || !sumSquares) throw new EngineError('bad-model', `stage ${stage.output} returned no output`);
    return { y, sum, sumSquares };
  };
}
