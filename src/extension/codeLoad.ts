// How dist/extension.js (loader.ts) loaded the extension's bundle: from V8's code cache or compiled afresh. The
// benchmark prints it beside the activation figures (bench/cases/extension.ts).
export interface CodeLoad {
  /** 'hit': compiled code read from the cache; 'miss': none yet; 'rejected': V8 refused it; 'off': plain require. */
  cache: 'hit' | 'miss' | 'rejected' | 'off';
  /** CPU time of reading the bundle (and its cache) and compiling it. */
  compileCpuMs: number;
  /** Wall time of the loader's activate(): loading the bundle + its activate() to the first await (VS Code's "activate call"). */
  activateCallMs?: number;
}
