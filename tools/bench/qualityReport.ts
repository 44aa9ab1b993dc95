/**
 * @file The text `npm run bench:quality` prints: the strict table per category (identity and the old lenient
 * number beside it), the chain drift line and the gallery chips' lines. Pure: returns lines.
 */
import { CHAIN_CAP_DB, STRICT, SUCCESS_PSNR_DB, type CategorySummary, type summarizeCapped } from './qualityMetrics';

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
const dB = (v: number) => `${v.toFixed(2)} dB`;

export const STRICT_RULE =
  `strict success: whole-image PSNR ≥ ${STRICT.wholePsnrDb} dB, PSNR inside the touched region ≥ ${STRICT.regionPsnrDb} dB, ` +
  `and ≥ ${STRICT.gainDb} dB closer to the target than the input; lenient (the old headline): whole-image PSNR ≥ ${SUCCESS_PSNR_DB} dB`;

const COLUMNS: [string, (r: CategorySummary) => string][] = [
  ['cases', (r) => String(r.cases)],
  ['STRICT', (r) => pct(r.strict)],
  ['identity strict', (r) => pct(r.identityStrict)],
  ['lenient', (r) => pct(r.lenient)],
  ['identity lenient', (r) => pct(r.identityLenient)],
  ['region PSNR', (r) => dB(r.meanRegionPsnr)],
  ['identity region', (r) => dB(r.identityMeanRegionPsnr)],
  ['mean PSNR', (r) => dB(r.meanPsnr)],
  ['identity PSNR', (r) => dB(r.identityMeanPsnr)],
];

/** The per-category table; `rows` end with 'overall', then any extra rows (the paraphrase split). */
export function formatStrictTable(rows: CategorySummary[]): string[] {
  const cell = (v: string, i: number) => (i === 0 ? v.padEnd(22) : v.padStart(COLUMNS[i - 1]![0].length + 2));
  return [
    ['category', ...COLUMNS.map(([h]) => h)].map(cell).join(''),
    ...rows.map((r) => [r.category, ...COLUMNS.map(([, f]) => f(r))].map(cell).join('')),
  ];
}

/** One line per category of a split, strict and lenient, for the paraphrase detail. */
export function formatCompactRows(label: string, rows: CategorySummary[]): string {
  return `${label}: ${rows.map((r) => `${r.category} ${pct(r.strict)} (lenient ${pct(r.lenient)})`).join(', ')}`;
}

/** Untouched-region PSNR per turn, capped, with the exact regions counted apart. */
export function formatChains(turns: ReturnType<typeof summarizeCapped>[]): string {
  const count = turns[0]?.count ?? 0;
  const perTurn = turns.map((t, i) => `turn ${i + 1} ${dB(t.meanPsnr)} (exact ${t.exact}/${t.count})`).join(', ');
  return `chains (${count} with untouched pixels): untouched-region PSNR against the exact expected image, capped at ${CHAIN_CAP_DB} dB: ${perTurn}`;
}

export interface ChipResult {
  sampleId: string;
  instruction: string;
  seeds: number;
  /** Null when the chip has no exact target (then only the changed share is measured). */
  strict: number | null;
  lenient: number | null;
  meanRegionPsnr: number | null;
  /** Mean share of pixels the edit changed (any RGB difference from the input). */
  changedShare: number;
}

export function formatChip(r: ChipResult, bar: number): string {
  const name = `${r.sampleId.padEnd(14)} ${JSON.stringify(r.instruction).padEnd(38)}`;
  if (r.strict === null)
    return `${name} no exact target known: not scored (the edit changed ${pct(r.changedShare)} of the pixels on average)`;
  const verdict = r.strict >= bar ? 'meets' : 'BELOW';
  return `${name} strict ${String(r.strict).padStart(2)}/${r.seeds}  lenient ${String(r.lenient).padStart(2)}/${r.seeds}  region PSNR ${dB(r.meanRegionPsnr ?? NaN)}  ${verdict} the ${bar}/${r.seeds} bar`;
}
