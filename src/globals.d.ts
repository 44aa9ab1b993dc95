/** The embedded bundle's sampler defaults, from its manifest at build time (vite.config.ts); null when none ships. */
declare const __EMBEDDED_SAMPLING__: { steps: number; guidance: number; average: number } | null;
