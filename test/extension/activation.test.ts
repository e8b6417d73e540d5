// Runs inside the extension host (see index.ts): the real `vscode` API, the extension under development.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';

describe('activation', () => {
  it('finds and activates the extension', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it('ucore.about.show returns the version from package.json', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    const expected = String(ext.packageJSON.version ?? '');
    assert.ok(expected.length > 0, 'package.json has a version');
    const version = await vscode.commands.executeCommand<string>('ucore.about.show');
    assert.strictEqual(version, expected);
  });
});
