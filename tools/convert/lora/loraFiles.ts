/**
 * @file LoRA files for the converter: `path[:strength]` specs from the command line, and opening each
 * file with its sha256 for the manifest.
 */
import type { BundleLora } from '../../../workers/bundle/manifest';
import { createSha256 } from '../../../workers/cache/sha256';
import { getBaseName, type ByteSource, type InputFolder } from '../io/inputFolder';
import { openSafetensorsFile, type TensorSource } from '../safetensors';
import { LoraError } from './loraPlan';
import type { LoraInput } from './loraMerge';

/** A LoRA the user asked for. */
export interface LoraSpec {
  path: string;
  strength: number;
}

/** A LoRA file opened for merging, with what the manifest records of it. */
export interface OpenedLora extends LoraInput, BundleLora {
  tensors: TensorSource;
}

/** `path` or `path:strength` (strength any finite number; 1 when absent). */
export function parseLoraSpec(spec: string): LoraSpec {
  const m = /^(.+):([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)$/i.exec(spec);
  const path = m ? m[1]! : spec;
  const strength = m ? Number(m[2]) : 1;
  if (path.length === 0 || !Number.isFinite(strength))
    throw new LoraError(`--lora ${spec}: expected path or path:strength`);
  return { path, strength };
}

/**
 * Opens every LoRA file (all or none: on a failure the ones already open are closed).
 * @throws SafetensorsError for a file that is not safetensors.
 */
export async function openLoraFiles(files: InputFolder, specs: readonly LoraSpec[]): Promise<OpenedLora[]> {
  const opened: OpenedLora[] = [];
  try {
    for (const { path, strength } of specs) {
      const file = await files.open(path);
      const sha256 = await hashSource(file);
      const tensors = await openSafetensorsFile(file);
      opened.push({ name: getBaseName(path).replace(/\.safetensors$/, ''), strength, tensors, sha256 });
    }
    return opened;
  } catch (e) {
    await Promise.all(opened.map((l) => l.tensors.close()));
    throw e;
  }
}

/** A short tag that tells bundles of the same model with different LoRAs apart (for the bundle id). */
export function getLoraTag(loras: readonly BundleLora[]): string {
  const hash = createSha256();
  hash.update(new TextEncoder().encode(loras.map((l) => `${l.sha256}:${l.strength}\n`).join('')));
  return hash.digestHex().slice(0, 8);
}

/** sha256 (hex) of a whole input file, read 16 MiB at a time. */
async function hashSource(file: ByteSource): Promise<string> {
  const hash = createSha256();
  const step = 16 << 20;
  for (let offset = 0; offset < file.size; offset += step)
    hash.update(await file.read(offset, Math.min(step, file.size - offset)));
  return hash.digestHex();
}
