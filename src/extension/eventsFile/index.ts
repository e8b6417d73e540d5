// `.events` files: JSON events separated by `###` lines, each optionally headed `### channel: NAME`,
// `### shard: NAME` (a shard channel) or `### stream: KEY`. Diagnostics (JSON, envelope, schema, placeholders), CodeLens to publish or append each event
// or all of them, completion of event types / placeholders / targets, outline and folding.
// The format itself (parse, check, placeholders, expansion) is the core's src/core/events-file; these are its providers.
import * as vscode from 'vscode';
import type { Publisher } from '../publishing/publisher';
import type { ExtensionServices } from '../services';
import { EventsCodeLensProvider } from './codeLens';
import { EventsFileCommands } from './commands';
import { COMPLETION_TRIGGERS, EventsCompletionProvider } from './completion';
import { EventsDiagnostics } from './diagnostics';
import { EventsDocuments, LANGUAGE_ID } from './documents';
import { EventsOutlineProvider } from './outline';
import { Commands } from '../constants';
import { insertExample } from '../contracts/insertExample';

export function registerEventsFiles(context: vscode.ExtensionContext, services: ExtensionServices, publisher: Publisher): void {
  const selector: vscode.DocumentSelector = { language: LANGUAGE_ID };
  const documents = new EventsDocuments();
  const outline = new EventsOutlineProvider(documents);
  context.subscriptions.push(
    new EventsDiagnostics(documents, services, services.log.scoped('events-file'), services.contracts),
    vscode.languages.registerCodeLensProvider(selector, new EventsCodeLensProvider(documents)),
    vscode.languages.registerCompletionItemProvider(selector, new EventsCompletionProvider(services, documents), ...COMPLETION_TRIGGERS),
    vscode.languages.registerDocumentSymbolProvider(selector, outline, { label: 'Events' }),
    vscode.languages.registerFoldingRangeProvider(selector, outline),
    ...new EventsFileCommands(services, publisher, documents).register(),
    vscode.commands.registerCommand(Commands.eventsFileInsertExample, (pick?: { eventType: string; address?: string }) =>
      services.handleErrors('Insert example event', () => insertExample(services.contracts, pick))),
  );
}
