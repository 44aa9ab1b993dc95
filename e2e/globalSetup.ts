import { mkdirSync, rmSync } from 'node:fs';
import { writeBoxAutoencoder } from '../tools/testing/boxAutoencoder';
import { BOX_DIR } from './models';

/** Builds the model files the specs upload; they are generated, never committed. */
export default async function globalSetup(): Promise<void> {
  rmSync(BOX_DIR, { recursive: true, force: true });
  mkdirSync(BOX_DIR, { recursive: true });
  writeBoxAutoencoder(BOX_DIR);
}
