// The `.events` format as a pure service (like vscode-kafka's kafka-file/languageservice): parse a file into blocks,
// check them (JSON, envelope, schema, placeholders, targets), expand placeholders and prepare each block's event.
// The extension's providers and `ucore publish file.events` both use it; it does no I/O and never imports vscode.
export { parseEventsFile, blockAtLine, targetOf, TARGET_NOUN, MAX_BLOCKS, MAX_CHARS, MAX_TARGET_NAME, type TargetKind, type EventsTarget, type DocRange, type JsonErrorInfo, type PlaceholderInfo, type EventBlock, type ExpectBlock, type Expectation, type ScenarioTest, type HeaderProblem, type ParsedEventsFile, type ParseOptions } from './parser';
export { checkEvent, describeEventIssue, checkBlock, checkExpectation, checkFile, fillMissing, locate, MAX_PROBLEMS, type EventIssue, type EventsProblem, type ProblemCode, type ProblemSeverity } from './check';
export { PLACEHOLDERS, MAX_PLACEHOLDERS, newExpansionContext, findPlaceholders, checkPlaceholder, expandPlaceholders, maskPlaceholders, type ExpansionContext, type PlaceholderRef } from './placeholders';
export { scanJson, type JsonProblem, type JsonLocation, type JsonScanResult } from './json-scan';
export { sendProblem, blockLabel, expandBlock, toEvent, prepareBlock, validateTargetName } from './send';
export { jsonCursorAt, type JsonCursor } from './json-cursor';
