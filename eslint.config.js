// Lint: typescript-eslint with type information, import cycles, and the layering of README's Layout table
// (docs: ../docs and src/README.md). A layer rule broken here fails `npm test`.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const ORT = ['onnxruntime-web', 'onnxruntime-web/*', 'onnxruntime-node', 'onnxruntime-common'];
const REACT = ['react', 'react-dom', 'react/*', 'react-dom/*'];

/** Packages a folder may not import (bare names, gitignore-style groups), each with the reason. */
const noPackages = (files, ...groups) => ({
  files,
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      { patterns: groups.map(([group, message]) => ({ group, message })) },
    ],
  },
});

/**
 * The layering of README's Layout table, on resolved paths: code in `target` may not import from `from`
 * (except the `except` subfolders, relative to `from`).
 */
const LAYERS = [
  {
    target: './src',
    from: './workers',
    except: ['./api'],
    message: 'The UI talks to the worker through workers/api only.',
  },
  { target: './src', from: './tools', message: 'The UI never imports the Node tools.' },
  { target: './src/lib', from: './src', except: ['./lib'], message: 'lib/ is leaf helpers: nothing else from src/.' },
  {
    target: './src/editor',
    from: './src',
    // engine/messages turns error codes into words; src/testing holds the fakes the editor's tests use.
    except: ['./editor', './lib', './engine/messages.ts', './testing'],
    message: 'editor/ sits below ui, app, hooks, the engine client and persistence: they come in as ports.',
  },
  {
    target: './src/ui',
    from: './src',
    except: ['./ui', './lib', './editor'],
    message: 'ui/ is presentational: no state wiring (editor types come in with import type).',
  },
  {
    target: './src/engine',
    from: './src',
    except: ['./engine', './testing'],
    message: 'engine/ is the worker client: it knows workers/api and nothing of the editor.',
  },
  {
    target: './src/persistence',
    from: './src',
    except: ['./persistence', './editor', './lib', './testing'],
    message: 'persistence/ stores editor state: it may know editor/ and lib/, not the UI.',
  },
  { target: './workers', from: './src', message: 'The worker never imports the UI.' },
  {
    target: './workers',
    from: './tools',
    except: ['./convert'],
    message: 'The worker and its tests never import the Node tools.',
  },
  {
    target: ['./workers/api', './workers/bundle', './workers/cache', './workers/kontext', './workers/runtime'],
    from: './tools/convert',
    message: 'Only workers/convert runs the converter core.',
  },
  { target: './workers/convert', from: './tools/convert/node', message: 'tools/convert/node is the Node front end.' },
  { target: './workers', from: './e2e', message: 'The worker never imports the end-to-end tests.' },
  {
    target: './workers/api',
    from: './workers',
    except: ['./api'],
    message: 'workers/api is the contract: types and tiny constructors only.',
  },
  {
    target: ['./workers/kontext', './workers/bundle'],
    from: './workers/runtime',
    message: 'kontext/ and bundle/ are pure: GPU work comes in through injected runners.',
  },
  {
    target: ['./workers/kontext', './workers/bundle'],
    from: './workers/cache',
    message: 'kontext/ and bundle/ are pure: no storage.',
  },
  {
    target: './tools',
    from: './src',
    // The bench measures the first-run gallery's own chips (pure scene data and renderer), not a copy that drifts.
    except: ['./lib/samples.ts'],
    message: 'The Node tools never import the UI.',
  },
];

export default tseslint.config(
  {
    ignores: ['.*', 'node_modules/', 'dist/', '.cache/', 'test-results/', 'playwright-report/', 'public/', 'training/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.app.json', './tsconfig.worker.json', './tsconfig.node.json', './tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.browser, ...globals.node },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ project: './tsconfig.*.json', noWarnOnMultipleProjects: true }),
      ],
    },
    rules: {
      'import-x/no-cycle': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // The worker API and store actions are async by contract (Comlink, callers await them) even when a body
      // has nothing to await; flagging those adds noise, not safety (no-floating-promises stays on).
      '@typescript-eslint/require-await': 'off',
      // Store actions and the engine API are closures typed with method syntax: none of them uses `this`.
      '@typescript-eslint/unbound-method': 'off',
      // Error messages print shapes and dims (`[1, 16, 64]` → "1,16,64") on purpose.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowArray: true }],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  {
    // Tests read untyped fixtures (JSON goldens, page.evaluate results) and vitest's asymmetric matchers
    // (expect.any, expect.stringMatching) are typed `any`; the code under test stays strictly checked.
    files: ['**/*.test.ts', 'e2e/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },

  { rules: { 'import-x/no-restricted-paths': ['error', { zones: LAYERS }] } },
  noPackages(['src/**'], [ORT, 'The UI never imports onnxruntime: models run in the worker.']),
  noPackages(['src/editor/**'], [REACT, 'The editor core has no React: components read it through hooks.']),
  // ui/ may name editor types, never call editor code: logic reaches components as props.
  {
    files: ['src/ui/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ORT, message: 'The UI never imports onnxruntime.' },
            {
              regex: '^(\\.\\./)+editor/',
              allowTypeImports: true,
              message: 'ui/ takes editor types only (import type).',
            },
          ],
        },
      ],
    },
  },
  noPackages(
    ['workers/**'],
    [REACT, 'The worker never imports React.'],
    [ORT, 'Only workers/runtime and the entry (engine.worker.ts) touch onnxruntime.'],
  ),
  noPackages(['workers/runtime/**', 'workers/engine.worker.ts'], [REACT, 'The worker never imports React.']),
  // The converter's core also runs in the browser's conversion worker: only its Node front end (node/, the CLIs,
  // convertBundle.ts) and test helpers may use Node APIs.
  {
    ...noPackages(
      ['tools/convert/**/*.ts'],
      [
        ['node:*', 'onnxruntime-node', 'prettier'],
        'The converter core runs in a browser worker too: no Node API here.',
      ],
    ),
    ignores: [
      'tools/convert/node/**',
      'tools/convert/**/*.test.ts',
      'tools/convert/**/*Testing.ts',
      'tools/convert/testing.ts',
      'tools/convert/{cli,devCli,paths,safetensorsWriter}.ts',
      'tools/convert/bundle/convertBundle.ts',
      'tools/convert/graphs/buildTaef1ForTests.ts',
      'tools/convert/onnx/attentionGraph.ts',
      'tools/convert/quantize/runOrt.ts',
      'tools/convert/tokenizers/reference*.ts',
    ],
  },

  prettier,
);
