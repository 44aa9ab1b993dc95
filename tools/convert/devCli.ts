/**
 * @file `npm run model-tools -- <command>`: developer helpers around the converter.
 *   taef1 <taef1Dir> <outDir>        build preview_encoder.onnx / preview_decoder.onnx (+ .onnx.data)
 *   roundtrip-fixture [out.png]      regenerate e2e/fixtures/roundtrip-128.png
 *   inspect <model.onnx>             validate a graph and list its external-data files
 *   header <file.safetensors|dir>    list the tensors of a checkpoint
 *   attention-graph [out.ts]         regenerate workers/runtime/attentionGraph.ts (the worker's check graph)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { encodePngRgb, makeRoundtripImage } from './fixtures/makeRoundtripImage';
import { buildTaef1Graphs } from './graphs/taef1';
import { assertOnnxModel, listExternalDataLocations } from '../../workers/bundle/onnxInspect';
import { openFolderSink } from './node/folderSink';
import { openNodeFolder, openTensorSource } from './node/nodeFiles';
import { writeAttentionGraphModule } from './onnx/attentionGraph';
import { ATTENTION_GRAPH_MODULE, ROUNDTRIP_FIXTURE } from './paths';

async function runCli(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  switch (command) {
    case 'taef1': {
      const [taef1Dir, outDir] = rest;
      if (!taef1Dir || !outDir) throw new Error('usage: taef1 <taef1Dir> <outDir>');
      const files = await buildTaef1Graphs(openNodeFolder(taef1Dir), taef1Dir, openFolderSink(outDir));
      console.log(JSON.stringify(files, null, 2));
      return;
    }
    case 'roundtrip-fixture': {
      const out = rest[0] ?? ROUNDTRIP_FIXTURE;
      writeFileSync(out, encodePngRgb(makeRoundtripImage(128)));
      console.log(`wrote ${out}`);
      return;
    }
    case 'inspect': {
      if (!rest[0]) throw new Error('usage: inspect <model.onnx>');
      const bytes = readFileSync(rest[0]);
      assertOnnxModel(bytes, rest[0]);
      console.log(JSON.stringify({ bytes: bytes.length, externalData: listExternalDataLocations(bytes, rest[0]) }));
      return;
    }
    case 'header': {
      if (!rest[0]) throw new Error('usage: header <file.safetensors|dir>');
      const src = await openTensorSource(rest[0]);
      for (const t of src.listTensors()) console.log(`${t.name}\t${t.dtype}\t[${t.shape.join(', ')}]`);
      await src.close();
      return;
    }
    case 'attention-graph': {
      const out = rest[0] ?? ATTENTION_GRAPH_MODULE;
      await writeAttentionGraphModule(out);
      console.log(`wrote ${out}`);
      return;
    }
    default:
      throw new Error(`unknown command '${command ?? ''}'; see the header of tools/convert/devCli.ts`);
  }
}

runCli(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
