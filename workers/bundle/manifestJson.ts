/**
 * @file manifest.json as the converter writes it: the inverse of parseManifest (manifest.ts), snake_case and with
 * optional fields left out when unset, so that older manifests keep their bytes.
 */
import { aeDecoderStagesToJson } from './aeStages';
import { domainToJson } from './domain';
import { getFileRoles, MANIFEST_FORMAT, type GraphFiles, type Json, type Manifest } from './manifest';
import { isDefaultPrecision } from './precision';

const graphJson = (g: GraphFiles) => ({ graph: g.graph, data: g.data });

/** The inverse of parseManifest: the snake_case JSON the converter writes as manifest.json. */
export function manifestToJson(m: Manifest): Json {
  const { dit, t5, clip, ae } = m.model;
  const s = m.sampling;
  const c = m.components;
  const roles = getFileRoles(c);
  return {
    format: MANIFEST_FORMAT,
    format_version: m.formatVersion,
    id: m.id,
    name: m.name,
    weights: m.weights,
    ...(m.accuracyLevel === undefined ? {} : { accuracy_level: m.accuracyLevel }),
    // Left out when `weights` implies it, so the manifests of fp32-activation bundles keep their bytes.
    ...(isDefaultPrecision(m.precision, m.weights) ? {} : { precision: m.precision }),
    memory_tight: m.memoryTight,
    ...(m.ditFirstBlockCache ? { dit_first_block_cache: true } : {}), // absent when off: older manifests keep their bytes
    ...(m.ditBatch ? { dit_batch: true } : {}),
    preview_rgb: m.previewRgb,
    ...(m.domain ? { domain: domainToJson(m.domain) } : {}), // absent for any image: older manifests stay byte-identical
    ...(m.loras.length > 0
      ? { loras: m.loras.map((l) => ({ name: l.name, sha256: l.sha256, strength: l.strength })) }
      : {}),
    model: {
      dit: {
        hidden_size: dit.hiddenSize,
        num_heads: dit.numHeads,
        depth: dit.depth,
        depth_single_blocks: dit.depthSingleBlocks,
        axes_dim: dit.axesDim,
        theta: dit.theta,
        in_channels: dit.inChannels,
        context_in_dim: dit.contextInDim,
        vec_in_dim: dit.vecInDim,
        mlp_ratio: dit.mlpRatio,
        guidance_embed: dit.guidanceEmbed,
      },
      t5: {
        d_model: t5.dModel,
        num_layers: t5.numLayers,
        num_heads: t5.numHeads,
        vocab_size: t5.vocabSize,
        max_length: t5.maxLength,
      },
      clip: {
        hidden_size: clip.hiddenSize,
        num_layers: clip.numLayers,
        num_heads: clip.numHeads,
        vocab_size: clip.vocabSize,
        max_length: clip.maxLength,
      },
      ae: {
        z_channels: ae.zChannels,
        spatial_factor: ae.spatialFactor,
        scale_factor: ae.scaleFactor,
        shift_factor: ae.shiftFactor,
        ...(ae.channels ? { channels: ae.channels, attention_chunks: ae.attentionChunks } : {}),
      },
      patch_size: m.model.patchSize,
    },
    sampling: {
      default_steps: s.defaultSteps,
      default_guidance: s.defaultGuidance,
      default_average: s.defaultAverage,
      base_shift: s.baseShift,
      max_shift: s.maxShift,
      base_seq_len: s.baseSeqLen,
      max_seq_len: s.maxSeqLen,
      resolutions: s.resolutions,
    },
    components: {
      dit: c.dit.map(graphJson),
      t5: graphJson(c.t5),
      clip: graphJson(c.clip),
      ae_encoder: graphJson(c.aeEncoder),
      ae_decoder: graphJson(c.aeDecoder),
      ...(c.aeDecoderStages ? { ae_decoder_stages: aeDecoderStagesToJson(c.aeDecoderStages) } : {}),
      preview_decoder: c.previewDecoder ? graphJson(c.previewDecoder) : null,
      t5_tokenizer: { ...c.t5Tokenizer },
      clip_tokenizer: { ...c.clipTokenizer },
    },
    files: m.files.map((f) => ({
      path: f.path,
      ...(roles.has(f.path) ? { role: roles.get(f.path) } : {}),
      bytes: f.bytes,
      sha256: f.sha256,
    })),
  };
}
