import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext) {
  context.subscriptions.push(
    vscode.commands.registerCommand('ucore.about.show', () => {
      const version = String(context.extension.packageJSON.version ?? '');
      void vscode.window.showInformationMessage(`UCore Events ${version}`);
      return version;
    }),
  );
}

export function deactivate() {}
