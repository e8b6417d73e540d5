// The page every webview panel starts from: strict CSP (default-src 'none', scripts only by a fresh nonce made with
// crypto), styles, images and fonts only from the extension's own resources, static markup only: everything
// dynamic is built by the page's script with DOM nodes and textContent. The monitor and flows panels use it.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewPage {
  extensionUri: vscode.Uri;
  title: string;
  /** Stylesheets and the script, as paths inside the extension (e.g. ['media', 'flows.css']). */
  styles: string[][];
  script: string[];
}

export function webviewHtml(webview: vscode.Webview, page: WebviewPage): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(page.extensionUri, ...parts)).toString();
  const csp = [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `font-src ${webview.cspSource}`].join('; ');
  const title = page.title.replace(/[<>&"]/g, '');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    `<head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
    ...page.styles.map((s) => `<link rel="stylesheet" href="${asset(s)}">`),
    `<title>${title}</title></head>`,
    `<body><main id="app"><p class="muted">Loading…</p></main><script nonce="${nonce}" src="${asset(page.script)}"></script></body>`,
    '</html>',
  ].join('\n');
}

/** Webview options that let a panel load only the extension's built webview code and media. */
export function webviewPanelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}
