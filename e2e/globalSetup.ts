import { mkdirSync, rmSync } from 'node:fs';
import { ensureTaef1Graphs } from '../tools/convert/graphs/buildTaef1ForTests';
import { writeBoxAutoencoder } from '../tools/testing/boxAutoencoder';
import { BOX_DIR } from './models';

/**
 * Builds the model files the specs upload; they are generated, never committed. TAEF1 comes from
 * ../shared/vendor-data when it is there; specs that need it skip (with the reason) when it is not.
 */
export default async function globalSetup(): Promise<void> {
  rmSync(BOX_DIR, { recursive: true, force: true });
  mkdirSync(BOX_DIR, { recursive: true });
  writeBoxAutoencoder(BOX_DIR);
  const taef1 = await ensureTaef1Graphs();
  if (taef1) process.env.KONTEXT_TAEF1_DIR = taef1;
}
