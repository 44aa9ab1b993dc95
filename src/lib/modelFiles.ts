import type { ModelFiles } from '../../workers/api';

/**
 * Groups the files a user picked into one model: the single `.onnx` file is the graph, every other file is
 * external data, matched by its file name (the `location` stored in the graph).
 * @throws Error when there is not exactly one .onnx file.
 */
export function toModelFiles(files: readonly File[]): ModelFiles {
  const graphs = files.filter((f) => f.name.toLowerCase().endsWith('.onnx'));
  if (graphs.length !== 1) {
    throw new Error(
      graphs.length === 0
        ? `No .onnx file among ${files.map((f) => `"${f.name}"`).join(', ') || 'the chosen files'}; pick the model's .onnx file and its weights.`
        : `Pick one model at a time: got ${graphs.map((f) => `"${f.name}"`).join(', ')}.`,
    );
  }
  const graph = graphs[0]!;
  return {
    name: graph.name,
    graph,
    externalData: files.filter((f) => f !== graph).map((f) => ({ path: f.name, data: f })),
  };
}
