import { describe, expect, it } from 'vitest';
import { summarizeWasmTrace } from './wasmCompileTrace';

describe('summarizeWasmTrace', () => {
  it('sums the top-level compile spans once, in thread time where the trace has it', () => {
    const summary = summarizeWasmTrace([
      { name: 'wasm.CompileLazy', dur: 900, tdur: 400 },
      { name: 'wasm.CompileBaseline', dur: 800, tdur: 350 }, // inside CompileLazy: not counted again
      { name: 'wasm.BaselineCompilation', dur: 600 }, // no thread time: wall
      { name: 'wasm.ExecuteCompilationUnits', dur: 5000, tdur: 4000 },
      { name: 'wasm.TopTierCompilation', dur: 4900, tdur: 3000 },
      { name: 'wasm.TopTierCompilation', tdur: 1000 },
      { name: 'v8.compile', dur: 7000 },
    ]);
    expect(summary).toEqual({ liftoffMs: 1, turbofanMs: 4, cacheHit: false });
  });

  it('says when V8 took the module from the code cache', () => {
    expect(summarizeWasmTrace([{ name: 'wasm.GetNativeModuleFromCache' }]).cacheHit).toBe(true);
    expect(summarizeWasmTrace([])).toEqual({ liftoffMs: 0, turbofanMs: 0, cacheHit: false });
  });
});
