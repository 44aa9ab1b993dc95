import type { BackendChoice, Capabilities, ModelFiles, RgbaImage, RoundTripResult } from './types';

/**
 * The inference worker's API, exposed with Comlink. Every method may throw an EngineError
 * (recover it on the UI side with toEngineError).
 */
export interface EngineApi {
  /** Picks the backend (WebGPU when an adapter exists, else WASM) and reports capabilities. Safe to call again. */
  init(choice: BackendChoice): Promise<Capabilities>;
  /** The capabilities of the current backend; throws `not-initialized` before init. */
  getCapabilities(): Promise<Capabilities>;
  /**
   * Encodes an image with an autoencoder's encoder and decodes it again (checks that a model works
   * on this machine). The image must have sides that are multiples of 8.
   */
  roundTrip(encoder: ModelFiles, decoder: ModelFiles, image: RgbaImage): Promise<RoundTripResult>;
}
