// Where the cursor is in a `.events` block's JSON (for contract completion): the path, key or value position, the
// open string typed so far, and the keys already written; hostile text gives undefined, never a throw or a hang.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonCursorAt } from '../../src/core/index';

describe('jsonCursorAt', () => {
  it('finds key and value positions with their paths, through arrays, escapes and bare placeholders', () => {
    assert.deepEqual(jsonCursorAt('{\n  "event_type": "order_created",\n  '), { path: [], position: 'key', partial: undefined, written: ['event_type'] });
    assert.deepEqual(jsonCursorAt('{ "id": {{uuid}}, "data": { "st'), { path: ['data'], position: 'key', partial: 'st', written: [] });
    assert.deepEqual(jsonCursorAt('{ "data": { "status": "pa'), { path: ['data'], position: 'value', key: 'status', partial: 'pa', written: ['status'] });
    assert.deepEqual(jsonCursorAt('{ "items": [ {"sku": "a"}, { "q'), { path: ['items', 1], position: 'key', partial: 'q', written: [] });
    assert.deepEqual(jsonCursorAt('{ "a\\"b": { "c": '), { path: ['a"b'], position: 'value', key: 'c', partial: undefined, written: ['c'] });
    assert.deepEqual(jsonCursorAt('{ "tags": [ "x", '), { path: ['tags', 1], position: 'value', partial: undefined, written: [] });
  });

  it('outside any object, or on hostile text, gives undefined', () => {
    assert.equal(jsonCursorAt(''), undefined);
    assert.equal(jsonCursorAt('{ "a": 1 }'), undefined);
    assert.equal(jsonCursorAt('['.repeat(100_000)), undefined);
    assert.equal(jsonCursorAt(`{ "a": ${'['.repeat(70)}`), undefined);
    assert.equal(jsonCursorAt('{ "a": {{never closed'), undefined);
  });
});
