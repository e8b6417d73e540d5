// The core and the CLI must stay usable without an editor: they may never import 'vscode'.
import tseslint from 'typescript-eslint';

const noVscode = {
  'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core and src/cli must not depend on VS Code.' }] }],
  'no-restricted-syntax': ['error', { selector: "CallExpression[callee.name='require'][arguments.0.value='vscode']", message: 'src/core and src/cli must not depend on VS Code.' }],
};

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
  { files: ['src/core/**/*.ts', 'src/cli/**/*.ts'], rules: noVscode },
  { files: ['src/extension/**/*.ts', 'src/core/**/*.ts', 'src/webview/**/*.ts', 'src/shared/**/*.ts'], rules: { 'no-console': 'error' } },
);
