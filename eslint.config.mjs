// The core and the CLI must stay usable without an editor: they may never import 'vscode'.
import tseslint from 'typescript-eslint';

const vscodeBan = { name: 'vscode', message: 'src/core and src/cli must not depend on VS Code.' };
// The extension and the CLI use the core through its public API only, so a module moved or a constant renamed inside
// the core cannot leak (one place defines `dead_letter`, the index key shapes, the glob rules).
const coreApiOnly = { group: ['**/core/*', '!**/core/index'], message: "Import the core through 'core/index' (its public API)." };
const requireVscode = { selector: "CallExpression[callee.name='require'][arguments.0.value='vscode']", message: 'src/core and src/cli must not depend on VS Code.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'e2e/tools/**', '.test-artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  { files: ['src/core/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: [vscodeBan] }], 'no-restricted-syntax': ['error', requireVscode] } },
  { files: ['src/cli/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: [vscodeBan], patterns: [coreApiOnly] }], 'no-restricted-syntax': ['error', requireVscode] } },
  { files: ['src/extension/**/*.ts', 'src/shared/**/*.ts', 'src/webview/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [coreApiOnly] }] } },
  { files: ['src/extension/**/*.ts', 'src/core/**/*.ts', 'src/webview/**/*.ts', 'src/shared/**/*.ts'], rules: { 'no-console': 'error' } },
);
