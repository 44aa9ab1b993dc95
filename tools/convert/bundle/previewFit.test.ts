import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../onnx/GraphBuilder';
import { addConv2d, addUpsampleNearest } from '../onnx/layers';
import { saveModel } from '../onnx/save';
import { makeTempDir } from '../testing';
import { fitPreviewRgb } from './previewFit';
import { openFolderSink } from '../node/folderSink';
import { openWasmDecoder } from '../node/wasmDecoder';

const temp = makeTempDir('preview-fit-');
afterAll(() => temp.cleanup());

describe('fitPreviewRgb', () => {
  it('recovers the map of a decoder that is exactly linear per latent pixel', async () => {
    const z = 4;
    const matrix = [0.5, -0.25, 0.1, 0, 0.2, 0.3, -0.4, 0.05, -0.1, 0, 0.6, 0.15];
    const bias = [0.05, -0.1, 0.2];
    const b = new GraphBuilder();
    const latent = b.addInput('latent', 'float', [1, z, 'h', 'w']);
    const rgb = addConv2d(b, latent, {
      weight: Float32Array.from(matrix),
      weightDims: [3, z, 1, 1],
      bias: Float32Array.from(bias),
      name: 'map',
    });
    b.addOutput(addUpsampleNearest(b, rgb, 8), 'image', 'float', [1, 3, 'H', 'W']);
    const sink = openFolderSink(temp.dir);
    const saved = saveModel(b, sink, { fileName: 'linear_decoder.onnx' });
    const decoder = { graph: saved.modelFile, data: saved.dataFiles };
    const fit = await fitPreviewRgb(sink, decoder, z, 8, openWasmDecoder);
    fit.matrix.forEach((m, i) => expect(m).toBeCloseTo(matrix[i]!, 2));
    fit.bias.forEach((v, i) => expect(v).toBeCloseTo(bias[i]!, 2));
  });
});
