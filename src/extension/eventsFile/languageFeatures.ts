// The `.events` language features — diagnostics, CodeLens, completion, outline, folding — and the commands' bodies.
// Loaded by index.ts when the first `.events` document opens (or a `.events` command runs), not at activation.
import * as vscode from 'vscode';
import type { Publisher } from '../publishing/publisher';
import type { ExtensionServices } from '../services';
import { EventsCodeLensProvider } from './codeLens';
import { EventsFileCommands } from './commands';
import { COMPLETION_TRIGGERS, EventsCompletionProvider } from './completion';
import { EventsDiagnostics } from './diagnostics';
import { EventsDocuments, LANGUAGE_ID } from './documents';
import { EventsOutlineProvider } from './outline';

export interface EventsLanguageFeatures extends vscode.Disposable {
  commands: EventsFileCommands;
}

export function startEventsLanguageFeatures(services: ExtensionServices, publisher: Publisher): EventsLanguageFeatures {
  const selector: vscode.DocumentSelector = { language: LANGUAGE_ID };
  const documents = new EventsDocuments();
  const outline = new EventsOutlineProvider(documents);
  const registrations = vscode.Disposable.from(
    new EventsDiagnostics(documents, services, services.log.scoped('events-file'), services.contracts),
    vscode.languages.registerCodeLensProvider(selector, new EventsCodeLensProvider(documents)),
    vscode.languages.registerCompletionItemProvider(selector, new EventsCompletionProvider(services, documents), ...COMPLETION_TRIGGERS),
    vscode.languages.registerDocumentSymbolProvider(selector, outline, { label: 'Events' }),
    vscode.languages.registerFoldingRangeProvider(selector, outline),
  );
  return { commands: new EventsFileCommands(services, publisher, documents), dispose: () => registrations.dispose() };
}
