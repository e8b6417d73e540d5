// Search: filter expressions (CEL) over events, history search over a stream, seeking a stream by time.
export { EventFilter, FilterStats, type FilterOutcome, type EntryMeta } from './expression';
export { MAX_EXPRESSION_CHARS, patternProblem } from './expression-limits';
export { searchHistory, searchStream, DEFAULT_SEARCH_LIMIT, DEFAULT_SCAN_BUDGET, type HistorySearchOptions, type SearchMatch, type SearchEnd, type SearchProgress, type SearchBatch, type SearchResult } from './history-search';
export { pageAt, pageAfter, pageBefore, pageFirst, pageLast, idAfter, idBefore, DEFAULT_PAGE as DEFAULT_SEEK_PAGE, type StreamPage } from './seek';
export { entryText, parseEntry, type EntryEvent } from './entry-event';
