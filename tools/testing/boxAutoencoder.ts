/**
 * @file A tiny real autoencoder for tests that need a model but not a good one: the encoder mixes the
 * colour channels and average-pools 8×8 blocks, the decoder upsamples and unmixes. Both follow the graph
 * contract (`image` ↔ `latent`) and keep their mixing weights in external data, so they exercise the same
 * loading path as a real bundle (the threshold keeps the 16-byte Resize scales inline: shape inference
 * needs their values). No vendor data needed.
 */
import { GraphBuilder } from '../convert/onnx/GraphBuilder';
import { addConv2d, addUpsampleNearest } from '../convert/onnx/layers';
import { saveModel } from '../convert/onnx/save';
import { openFolderSink } from '../convert/node/folderSink';

const MIX = new Float32Array([0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0.25, 0.25, 0.5]);
// Inverse of MIX (a circulant matrix with eigenvalues 1, 0.25, 0.25).
const UNMIX = new Float32Array([3, -1, -1, -1, 3, -1, -1, -1, 3]);

/** Writes `box_encoder.onnx` and `box_decoder.onnx` (+ `.onnx.data`) to `outDir`; returns their file names. */
export function writeBoxAutoencoder(outDir: string): { encoder: string[]; decoder: string[] } {
  const enc = new GraphBuilder({ externalThresholdBytes: 32 });
  const image = enc.addInput('image', 'float', [1, 3, 'H', 'W']);
  const mixed = addConv2d(enc, image, { weight: MIX, weightDims: [3, 3, 1, 1], name: 'mix' });
  const pooled = enc.addOp('AveragePool', [mixed], { kernel_shape: [8, 8], strides: [8, 8] });
  enc.addOutput(pooled, 'latent', 'float', [1, 3, 'h', 'w']);
  const encSaved = saveModel(enc, openFolderSink(outDir), { fileName: 'box_encoder.onnx' });

  const dec = new GraphBuilder({ externalThresholdBytes: 32 });
  const latent = dec.addInput('latent', 'float', [1, 3, 'h', 'w']);
  const up = addUpsampleNearest(dec, latent, 8);
  const unmixed = addConv2d(dec, up, { weight: UNMIX, weightDims: [3, 3, 1, 1], name: 'unmix' });
  dec.addOutput(unmixed, 'image', 'float', [1, 3, 'H', 'W']);
  const decSaved = saveModel(dec, openFolderSink(outDir), { fileName: 'box_decoder.onnx' });

  return { encoder: [encSaved.modelFile, ...encSaved.dataFiles], decoder: [decSaved.modelFile, ...decSaved.dataFiles] };
}
