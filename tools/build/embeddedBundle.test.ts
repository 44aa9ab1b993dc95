import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectSources, computeKey } from './embeddedBundle';

const dirs: string[] = [];
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'embedded-bundle-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the embedded bundle build key', () => {
  it('follows relative imports (files, folders with index.ts) and lists the packages they use', () => {
    const dir = folder({
      'a.ts':
        "import { b } from './b';\nimport type { C } from './c';\nimport { x } from '@scope/pkg/sub';\nimport 'node:fs';",
      'b.ts': "export * from './d/index';\nimport onnx from 'onnx-lib';\nconst lazy = () => import('./c');",
      'c/index.ts': 'export type C = 1;',
      'd/index.ts': '',
    });
    const { files, packages } = collectSources(join(dir, 'a.ts'));
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['a.ts', 'b.ts', 'c/index.ts', 'd/index.ts']);
    expect(packages).toEqual(['@scope/pkg', 'onnx-lib']);
  });

  it('refuses an import it cannot resolve, so no source is left out of the key silently', () => {
    const dir = folder({ 'a.ts': "import { gone } from './gone';" });
    expect(() => collectSources(join(dir, 'a.ts'))).toThrow(/cannot resolve import '.\/gone'/);
  });

  it('changes with any byte of the checkpoint', () => {
    const checkpoint = folder({ 'ae.safetensors': 'weights', 'tokenizer/tokenizer.json': '{}' });
    const before = computeKey(checkpoint);
    expect(computeKey(checkpoint)).toBe(before);
    writeFileSync(join(checkpoint, 'tokenizer/tokenizer.json'), '{ }');
    expect(computeKey(checkpoint)).not.toBe(before);
  });
});
