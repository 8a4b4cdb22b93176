import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deepEqual } from './equality.js';

describe('deepEqual', () => {
  it('compares JSON values, ignoring keys whose value is undefined on either side', () => {
    assert.equal(deepEqual({ a: 1, b: { c: [1, { d: 'x' }] } }, { b: { c: [1, { d: 'x' }] }, a: 1 }), true);
    assert.equal(deepEqual({ a: 1, gone: undefined }, { a: 1 }), true);
    assert.equal(deepEqual({ a: 1 }, { a: 1, gone: undefined }), true);
    assert.equal(deepEqual({ a: 1 }, { a: 1, extra: null }), false);
    assert.equal(deepEqual({ a: 1, extra: 2 }, { a: 1 }), false);
    assert.equal(deepEqual({ a: 1, x: undefined }, { a: 1, y: 2 }), false);
    assert.equal(deepEqual({ a: [1, 2] }, { a: [2, 1] }), false);
    assert.equal(deepEqual({ a: [] }, { a: {} }), false);
    assert.equal(deepEqual({ a: null }, { a: {} }), false);
  });

  it('sees an own "__proto__" key', () => {
    const a = JSON.parse('{"__proto__":{"x":1}}') as unknown;
    const b = JSON.parse('{"__proto__":{"x":2}}') as unknown;
    assert.equal(deepEqual(a, b), false);
    assert.equal(deepEqual(a, JSON.parse('{"__proto__":{"x":1}}')), true);
    assert.equal(deepEqual(a, {}), false);
  });
});
