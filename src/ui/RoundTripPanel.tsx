import { useEffect, useState } from 'react';
import type { RgbaImage, RoundTripResult } from '../../workers/api';
import { FileButton } from './FileButton';
import { ImageCanvas } from './ImageCanvas';

/** An object URL for the raw decoder output, revoked when the result changes. */
function useRawOutputUrl(result: RoundTripResult | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!result) return setUrl(null);
    const next = URL.createObjectURL(new Blob([result.decoded.slice().buffer], { type: 'application/octet-stream' }));
    setUrl(next);
    return () => URL.revokeObjectURL(next);
  }, [result]);
  return url;
}

/** The autoencoder check: pick encoder and decoder files and an image, run encode → decode, compare. */
export function RoundTripPanel(props: {
  image: { name: string; pixels: RgbaImage } | null;
  encoderName: string | null;
  decoderName: string | null;
  result: RoundTripResult | null;
  busy: boolean;
  onModelFiles: (role: 'encoder' | 'decoder', files: File[]) => void;
  onImageFile: (file: File) => void;
  onRun: () => void;
}) {
  const { image, encoderName, decoderName, result, busy } = props;
  const rawUrl = useRawOutputUrl(result);
  return (
    <section className="panel" aria-labelledby="ae-title">
      <h2 id="ae-title">Autoencoder check</h2>
      <p className="hint">Encodes the image into latents and decodes it again, on the chosen backend.</p>
      {(['encoder', 'decoder'] as const).map((role) => {
        const label = role === 'encoder' ? 'Encoder' : 'Decoder';
        return (
          <div className="file-row" key={role}>
            <span className="file-role">{label}</span>
            <FileButton
              multiple
              accept=".onnx,.data,application/octet-stream"
              aria-label={`${label} model files`}
              data-testid={`${role}-files`}
              onChange={(e) => {
                props.onModelFiles(role, Array.from(e.target.files ?? []));
                e.target.value = ''; // the same files again are a new choice
              }}
            >
              Choose .onnx + weights…
            </FileButton>
            <span className="file-name" data-testid={`${role}-name`}>
              {(role === 'encoder' ? encoderName : decoderName) ?? 'none chosen'}
            </span>
          </div>
        );
      })}
      <div className="file-row">
        <span className="file-role">Image</span>
        <FileButton
          icon="image"
          accept="image/*"
          aria-label="Image file"
          data-testid="image-file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) props.onImageFile(f);
            e.target.value = '';
          }}
        >
          Choose an image…
        </FileButton>
        <span className="hint">…or drop or paste one anywhere.</span>
      </div>
      <button
        type="button"
        onClick={props.onRun}
        disabled={busy || !image || !encoderName || !decoderName}
        data-testid="run-roundtrip"
      >
        {busy ? 'Running…' : 'Run round trip'}
      </button>
      <div className="images">
        {image && (
          <figure>
            <ImageCanvas image={image.pixels} label={`Input image ${image.name}`} testId="input-image" />
            <figcaption>
              {image.name} ({image.pixels.width}×{image.pixels.height})
            </figcaption>
          </figure>
        )}
        {result && (
          <figure>
            <ImageCanvas image={result.image} label="Decoded image" testId="output-image" />
            <figcaption data-testid="roundtrip-result" data-psnr={result.psnr} data-backend={result.backend}>
              {result.backend === 'webgpu' ? 'WebGPU' : 'WASM'}: PSNR {result.psnr.toFixed(2)} dB, latent{' '}
              {result.latentShape.join('×')}, encode {result.encodeMs.toFixed(0)} ms, decode{' '}
              {result.decodeMs.toFixed(0)} ms
            </figcaption>
            {rawUrl && (
              <a
                href={rawUrl}
                download={`decoded-${result.backend}-1x3x${result.image.height}x${result.image.width}.f32`}
                data-testid="raw-output"
              >
                Save raw decoder output (float32)
              </a>
            )}
          </figure>
        )}
      </div>
    </section>
  );
}
