// `.events` files: JSON events separated by `###` lines, each optionally headed `### channel: NAME`,
// `### shard: NAME` (a shard channel) or `### stream: KEY`. Diagnostics (JSON, envelope, schema, placeholders), CodeLens to publish or append each event
// or all of them, completion of event types / placeholders / targets, outline and folding.
// The format itself (parse, check, placeholders, expansion) is the core's src/core/events-file; these are its providers.
//
// What is registered at activation is only the commands' ids and a watch for the first `.events` document: the
// providers and the commands' bodies (languageFeatures.ts) load then, so a session without `.events` files never
// pays for them (issue 13: activation time).
import * as vscode from 'vscode';
import type { Publisher } from '../publishing/publisher';
import type { ExtensionServices } from '../services';
import { Commands } from '../constants';
import { LANGUAGE_ID } from './documents';
import type { EventsLanguageFeatures } from './languageFeatures';

export function registerEventsFiles(context: vscode.ExtensionContext, services: ExtensionServices, publisher: Publisher): void {
  let features: EventsLanguageFeatures | undefined;
  const load = (): EventsLanguageFeatures => {
    if (!features) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startEventsLanguageFeatures } = require('./languageFeatures') as typeof import('./languageFeatures');
      features = startEventsLanguageFeatures(services, publisher);
      context.subscriptions.push(features);
    }
    return features;
  };
  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.eventsFilePublishBlock, (uri?: vscode.Uri, index?: number) =>
      services.handleErrors('Publish event', () => load().commands.sendBlock(uri, index, 'publish'))),
    vscode.commands.registerCommand(Commands.eventsFileAppendBlock, (uri?: vscode.Uri, index?: number) =>
      services.handleErrors('Append event', () => load().commands.sendBlock(uri, index, 'append'))),
    vscode.commands.registerCommand(Commands.eventsFilePublishAll, (uri?: vscode.Uri) =>
      services.handleErrors('Publish all events', () => load().commands.publishAll(uri))),
    vscode.commands.registerCommand(Commands.eventsFileInsertExample, (pick?: { eventType: string; address?: string }) =>
      services.handleErrors('Insert example event', async () => {
        load();
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { insertExample } = require('../contracts/insertExample') as typeof import('../contracts/insertExample');
        return insertExample(services.contracts, pick);
      })),
  );
  const isEventsFile = (d: vscode.TextDocument) => d.languageId === LANGUAGE_ID;
  if (vscode.workspace.textDocuments.some(isEventsFile)) {
    load();
    return;
  }
  const watch = vscode.workspace.onDidOpenTextDocument((d) => {
    if (!isEventsFile(d)) return;
    watch.dispose();
    load();
  });
  context.subscriptions.push(watch);
}
