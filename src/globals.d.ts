/** The embedded bundle's sampler defaults, from its manifest at build time (vite.config.ts); null when none ships. */
declare const __EMBEDDED_SAMPLING__: { steps: number; guidance: number; average: number } | null;
/** The gallery samples' images drawn at build time (src/lib/galleryPixels.ts), by sample id. */
declare const __GALLERY_PIXELS__: Record<string, string>;
