// Capture: record published events for tests and tools; NDJSON files of events.
export { EventCapture, type CapturedEvent, type EventCaptureOptions } from './capture';
export { writeNdjson, readNdjson, readNdjsonBatches, readNdjsonCheckedText, type NdjsonLine, type ReadNdjsonOptions } from './ndjson';
