/**
 * @file The current image as a PNG whose tEXt chunks carry the edit chain, so the file says how it was made.
 * Keys: `Software`, `Description` (human-readable chain) and `kontext:chain` (JSON, version 1).
 */
import type { RgbaImage } from '../../workers/api';
import type { ChainStep } from '../editor/selectors';
import { encodePng } from '../lib/png';

export const CHAIN_KEY = 'kontext:chain';

/** Encodes `image` with its edit chain in tEXt metadata. */
export async function exportPngWithChain(image: RgbaImage, chain: ChainStep[], source: string): Promise<Uint8Array> {
  const description = chain.length
    ? chain
        .map(
          (c, i) =>
            `${i + 1}. "${c.instruction}" (seed ${c.seed}, ${c.steps} steps, guidance ${c.guidance}${c.average > 1 ? `, average of ${c.average} runs` : ''}, ${c.model}${c.masked ? ', masked' : ''}${c.references ? `, ${c.references} reference${c.references > 1 ? 's' : ''}` : ''})`,
        )
        .join('\n')
    : 'Unedited.';
  return encodePng(image, {
    Software: 'Kontext Studio',
    Source: source,
    Description: description,
    [CHAIN_KEY]: JSON.stringify({ version: 1, source, turns: chain }),
  });
}
