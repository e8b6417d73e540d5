// The libraries contracts need, loaded on first use: nothing of them runs while the extension activates or while a
// CLI command that never reads a contract starts. One `require()` of libs-entry: the extension and CLI bundles leave
// it to dist/contract-libs.js (esbuild.mjs), other builds bundle it and evaluate it only when called. A require, not
// an `import()`: the extension's bundle runs as a vm.Script (src/extension/loader.ts), where a native dynamic import
// has no loader to resolve it.
import type { default as Ajv2020Class } from 'ajv/dist/2020.js';
import type { FormatsPlugin } from 'ajv-formats';

type YamlModule = typeof import('yaml');
type SafeRegex = (re: string, opts?: { limit?: number }) => boolean;

export interface ContractLibs {
  yaml: YamlModule;
  Ajv2020: typeof Ajv2020Class;
  addFormats: FormatsPlugin;
  safeRegex: SafeRegex;
}

let libs: Promise<ContractLibs> | undefined;

/** A CommonJS module's main export, whether the loader (Node or the bundler) wrapped it once or twice. */
function mainExport<T>(mod: unknown): T {
  let m = mod as { default?: unknown };
  while (typeof m !== 'function' && m && typeof m === 'object' && 'default' in m) m = m.default as { default?: unknown };
  return m as T;
}

export function loadContractLibs(): Promise<ContractLibs> {
  return (libs ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require('./libs-entry.js') as typeof import('./libs-entry.js');
    return {
      yaml: m.yaml as YamlModule,
      Ajv2020: mainExport<typeof Ajv2020Class>(m.ajv2020),
      addFormats: mainExport<FormatsPlugin>(m.ajvFormats),
      safeRegex: mainExport<SafeRegex>(m.safeRegex2),
    };
  })());
}
