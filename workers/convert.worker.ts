/// <reference lib="webworker" />
/**
 * @file The conversion worker: the converter's core (tools/convert) behind a typed Comlink API (api/convert.ts),
 * writing into the engine's bundle store. A worker of its own: a conversion of the real model reads 34 GB and
 * runs for many minutes, and edits keep running in the engine worker meanwhile.
 */
import * as Comlink from 'comlink';
import { makeWasmDecoderOpener } from '../tools/convert/bundle/wasmDecoder';
import { openBundleKv } from './cache';
import { createConverter } from './convert/converter';
import { importOrt } from './runtime/ortBuild';

Comlink.expose(
  createConverter({
    kv: openBundleKv(),
    // The app's own onnxruntime build (JSPI where the browser has it), loaded only for the preview fit.
    openDecoder: makeWasmDecoderOpener(importOrt),
    storage: self.navigator.storage ?? null,
  }),
);
