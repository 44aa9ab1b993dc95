import { mkdirSync, rmSync } from 'node:fs';
import { ensureTaef1Graphs, TAEF1_WEIGHT_PATHS } from '../tools/convert/graphs/buildTaef1ForTests';
import { writeBoxAutoencoder } from '../tools/testing/boxAutoencoder';
import { hasVendorData } from '../tools/testing/vendorData';
import { BOX_DIR } from './models';

/**
 * Builds the model files the specs upload; they are generated, never committed. TAEF1 comes from
 * ../shared/vendor-data when it is there; the spec that needs it (roundTrip.spec.ts) skips, with the reason, when
 * it is not, and under CI=true the run fails here instead (tools/testing/vendorData.ts).
 */
export default async function globalSetup(): Promise<void> {
  rmSync(BOX_DIR, { recursive: true, force: true });
  mkdirSync(BOX_DIR, { recursive: true });
  writeBoxAutoencoder(BOX_DIR);
  if (!hasVendorData('the TAEF1 round-trip spec (e2e/roundTrip.spec.ts)', TAEF1_WEIGHT_PATHS)) return;
  const taef1 = await ensureTaef1Graphs();
  if (taef1) process.env.KONTEXT_TAEF1_DIR = taef1;
}
