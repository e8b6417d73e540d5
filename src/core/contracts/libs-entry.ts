// The contract libraries in one module, so the extension and the CLI can ship them as a bundle of their own
// (dist/contract-libs.js, see esbuild.mjs) that is read from disk only when a contract is first used: ~300 KiB that
// activation would otherwise parse for nothing.
export * as yaml from 'yaml';
export { default as ajv2020 } from 'ajv/dist/2020.js';
export { default as ajvFormats } from 'ajv-formats';
export { default as safeRegex2 } from 'safe-regex2';
