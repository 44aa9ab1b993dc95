/**
 * @file Names what onnxruntime and WebGPU throw. Neither has error types for running out of memory or losing
 * the device, only messages, so these patterns are the one place that reads them; everything unmatched stays
 * `runtime` with its message.
 */
import { EngineError } from '../api/errors';

/**
 * Allocation failures as they are worded by onnxruntime (C++ bad_alloc, its arena, "Failed to allocate"),
 * WebAssembly (Memory.grow, "Cannot enlarge memory", "Array buffer allocation failed") and WebGPU
 * (GPUOutOfMemoryError, Chromium's "Out of memory").
 */
const OUT_OF_MEMORY =
  /out of memory|\bOOM\b|bad_alloc|bad allocation|failed to allocate|allocation failed|cannot enlarge memory|maximum memory size|GPUOutOfMemoryError/i;

/** A device lost mid-call: Dawn's and onnxruntime's words for it. */
const DEVICE_LOST = /device (?:was |is |has been )?lost|DXGI_ERROR_DEVICE_(?:REMOVED|HUNG|RESET)/i;

/**
 * An EngineError for anything a runtime call threw: EngineErrors pass through; allocation failures become
 * `out-of-memory`, a lost device `device-lost`, the rest `runtime`. `what` says what was being done.
 */
export function toRuntimeFailure(error: unknown, what: string): EngineError {
  if (error instanceof EngineError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : '';
  if (OUT_OF_MEMORY.test(message) || OUT_OF_MEMORY.test(name))
    return new EngineError('out-of-memory', `${what} ran out of memory (${message})`);
  if (DEVICE_LOST.test(message)) return new EngineError('device-lost', `${what}: the GPU device was lost (${message})`);
  return new EngineError('runtime', `${what} failed: ${message}`);
}
