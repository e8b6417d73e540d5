// Entry of dist/ioredis.js: the extension's bundle turns redis-clients.ts's `require('ioredis')` into a require of
// that file (esbuild.mjs), so activating on the embedded transport never parses ~150 KiB of client. Other builds
// bundle ioredis (or leave it to npm) and never read this file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
module.exports = require('ioredis');
