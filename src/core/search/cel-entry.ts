// The one door to the CEL library: expression.ts requires it when the first filter is compiled, and the extension
// and CLI bundles leave it to dist/cel.js (esbuild.mjs), so loading them never evaluates CEL's standard library.
export { Environment } from '@marcbachmann/cel-js';
