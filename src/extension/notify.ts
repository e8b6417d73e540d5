// Notifications that may contain names and payload text from other people's services. VS Code turns
// `[label](command:…)` inside a notification message into a clickable command link, so a channel named
// `[open](command:ucore.demo.start)` could make a user run a command by clicking what looks like text.
// Every notification goes through these wrappers, which break that link syntax while showing the same text.
import * as vscode from 'vscode';

/** The text with link syntax neutralised: a zero-width space between `]` and `(` stops the link parser. */
export function plainMessage(text: string): string {
  return String(text).replace(/\]\s*\(/g, (m) => `]\u200b${m.slice(1)}`);
}

type Show = (message: string, ...rest: unknown[]) => Thenable<unknown>;

function wrap<T>(show: Show, message: string, rest: unknown[]): Thenable<T | undefined> {
  return show(plainMessage(message), ...rest) as Thenable<T | undefined>;
}

export function showInfo<T extends string | vscode.MessageItem = string>(message: string, ...rest: Array<T | vscode.MessageOptions>): Thenable<T | undefined> {
  return wrap<T>(vscode.window.showInformationMessage as Show, message, rest);
}

export function showWarning<T extends string | vscode.MessageItem = string>(message: string, ...rest: Array<T | vscode.MessageOptions>): Thenable<T | undefined> {
  return wrap<T>(vscode.window.showWarningMessage as Show, message, rest);
}

export function showError<T extends string | vscode.MessageItem = string>(message: string, ...rest: Array<T | vscode.MessageOptions>): Thenable<T | undefined> {
  return wrap<T>(vscode.window.showErrorMessage as Show, message, rest);
}
