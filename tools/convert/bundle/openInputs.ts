/**
 * @file Opens the four checkpoints a ModelFolder found as TensorSources in the official layout: fp8
 * decoded (× ComfyUI's scale_weight), GGUF dequantised, diffusers names mapped to BFL's, and a config.json
 * inferred from the tensors where the checkpoint came without one.
 */
import type { DitConfig } from '../../../workers/bundle/manifest';
import { makeDerivedSource } from '../inputs/derivedSource';
import { planDiffusersDit, planDiffusersVae } from '../inputs/diffusersNames';
import { passThrough, wrapFp8Source } from '../inputs/fp8';
import { openGgufSource } from '../inputs/ggufSource';
import { makeRenamedSource } from '../inputs/renamedSource';
import { CLIP_UNUSED_TENSORS, inferClipConfig, inferT5Config } from '../inputs/textEncoderConfig';
import type { InputFolder } from '../io/inputFolder';
import { openTensorSource, type TensorSource } from '../safetensors';
import type { ComponentInput, ModelFolder } from './modelFolder';

export interface ModelInputs {
  dit: TensorSource;
  ae: TensorSource;
  t5: TensorSource;
  clip: TensorSource;
  t5Config: Record<string, unknown>;
  clipConfig: Record<string, unknown>;
  /** What the DiT's config.json says that shapes cannot (diffusers' axes_dims_rope). */
  ditOverride: Partial<DitConfig>;
  close(): Promise<void>;
}

async function openCheckpoint(files: InputFolder, c: ComponentInput): Promise<TensorSource> {
  if (c.container === 'gguf') {
    const file = await files.open(c.path);
    try {
      return await openGgufSource(file.read, file.size, c.path, file.close);
    } catch (e) {
      await file.close();
      throw e;
    }
  }
  return wrapFp8Source(await openTensorSource(files, c.path));
}

function omitTensors(src: TensorSource, names: readonly string[]): TensorSource {
  const kept = src.listTensors().filter((t) => !names.includes(t.name));
  return makeDerivedSource(
    src.path,
    src.metadata,
    kept.map((t) => passThrough(src, t)),
    () => src.close(),
  );
}

function readAxes(config: Record<string, unknown> | null, path: string): Partial<DitConfig> {
  const axes = config?.axes_dims_rope;
  if (axes === undefined) return {};
  if (!Array.isArray(axes) || axes.length !== 3 || !axes.every((a) => Number.isInteger(a)))
    throw new Error(`${path}/config.json: axes_dims_rope ${JSON.stringify(axes)} is not three integers`);
  return { axesDim: axes as [number, number, number] };
}

/**
 * Opens every component of `folder`; on failure closes what was opened.
 * @throws the readers' errors, naming the file.
 */
export async function openModelInputs(files: InputFolder, folder: ModelFolder): Promise<ModelInputs> {
  const { dit, ae, t5, clip } = folder.components;
  const opened: TensorSource[] = [];
  const track = (s: TensorSource) => (opened.push(s), s);
  try {
    let ditSrc = track(await openCheckpoint(files, dit));
    if (dit.naming === 'diffusers')
      ditSrc = makeRenamedSource(ditSrc, planDiffusersDit(ditSrc.listTensors().map((t) => t.name)));
    let aeSrc = track(await openCheckpoint(files, ae));
    if (ae.naming === 'diffusers') aeSrc = makeRenamedSource(aeSrc, planDiffusersVae(aeSrc.listTensors()));
    let t5Src = track(await openCheckpoint(files, t5));
    if (!t5Src.hasTensor('shared.weight') && t5Src.hasTensor('encoder.embed_tokens.weight'))
      t5Src = makeRenamedSource(t5Src, [{ name: 'shared.weight', parts: ['encoder.embed_tokens.weight'] }]);
    const clipSrc = omitTensors(track(await openCheckpoint(files, clip)), CLIP_UNUSED_TENSORS);
    return {
      dit: ditSrc,
      ae: aeSrc,
      t5: t5Src,
      clip: clipSrc,
      t5Config: t5.config ?? inferT5Config(t5Src),
      clipConfig: clip.config ?? inferClipConfig(clipSrc),
      ditOverride: readAxes(dit.config, dit.path),
      close: async () => {
        for (const s of opened) await s.close();
      },
    };
  } catch (e) {
    for (const s of opened) await s.close();
    throw e;
  }
}
