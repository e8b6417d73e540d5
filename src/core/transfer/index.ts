// Export and import: stream entries ↔ fixture NDJSON files (the line format of src/core/fixtures).
export { exportEntries, type ExportSelection, type ExportOptions, type ExportProgress, type ExportResult } from './export';
export { importFixture, type ImportOptions, type ImportProgress, type ImportResult } from './import';
export { fileSink, type TextSink } from './file-sink';
