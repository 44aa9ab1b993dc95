/**
 * @file Input detection: opens a checkpoint's header (safetensors or GGUF) to tell which component it is.
 */
import { type InputFolder } from '../io/inputFolder';
import { classifyTensorNames, type Candidate } from '../inputs/layout';
import { readGgufHeader } from '../inputs/gguf';
import { GGML_BLOCKS } from '../inputs/ggmlQuants';
import { openTensorSource } from '../safetensors';

/**
 * Reads the header of `path` and returns what component it holds, or null for anything else.
 * @throws the reader's error, naming the file, when the header is damaged.
 */
export async function readCandidate(
  files: InputFolder,
  path: string,
  container: 'safetensors' | 'gguf',
): Promise<Candidate | null> {
  if (container === 'gguf') {
    const file = await files.open(path);
    try {
      const header = await readGgufHeader(file.read, file.size, path);
      const kind = classifyTensorNames(header.tensors.map((t) => t.name));
      return kind && { path, container, ...kind, lossy: header.tensors.some((t) => GGML_BLOCKS[t.type] !== undefined) };
    } finally {
      await file.close();
    }
  }
  const src = await openTensorSource(files, path);
  try {
    const tensors = src.listTensors();
    const kind = classifyTensorNames(tensors.map((t) => t.name));
    return kind && { path, container, ...kind, lossy: tensors.some((t) => t.dtype === 'F8_E4M3') };
  } finally {
    await src.close();
  }
}
