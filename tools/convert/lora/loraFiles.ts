/**
 * @file LoRA files for the Node converter: `path[:strength]` specs from the command line, and opening each
 * file with its sha256 for the manifest.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { BundleLora } from '../../../workers/bundle/manifest';
import { hashFile } from '../bundle/writeFiles';
import { openSafetensors, type TensorSource } from '../safetensors';
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
export async function openLoraFiles(specs: readonly LoraSpec[]): Promise<OpenedLora[]> {
  const opened: OpenedLora[] = [];
  try {
    for (const { path, strength } of specs) {
      const tensors = await openSafetensors(path);
      const lora = { name: basename(path).replace(/\.safetensors$/, ''), strength, tensors, sha256: '' };
      opened.push(lora);
      lora.sha256 = await hashFile(path);
    }
    return opened;
  } catch (e) {
    await Promise.all(opened.map((l) => l.tensors.close()));
    throw e;
  }
}

/** A short tag that tells bundles of the same model with different LoRAs apart (for the bundle id). */
export function getLoraTag(loras: readonly BundleLora[]): string {
  const hash = createHash('sha256');
  for (const l of loras) hash.update(`${l.sha256}:${l.strength}\n`);
  return hash.digest('hex').slice(0, 8);
}
