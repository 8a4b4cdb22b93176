import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deepCopy } from './deep-copy.js';

test('deepCopy copies JSON values as JSON would, without sharing', () => {
  const o = { a: { b: [1, { c: 'x' }] }, gone: undefined, n: Number.NaN, list: [undefined] };
  const c = deepCopy(o);
  assert.deepEqual(JSON.parse(JSON.stringify(c)), JSON.parse(JSON.stringify(o)));
  assert.equal(c.n, null);
  assert.deepEqual(c.list, [null]);
  assert.notEqual(c.a, o.a);
  assert.notEqual(c.a.b[1], o.a.b[1]);
  assert.ok(!Object.hasOwn(c, 'gone'));
});

test('deepCopy keeps an own "__proto__" key as data, never as the prototype', () => {
  const o = JSON.parse('{"__proto__":{"polluted":true},"k":1}') as Record<string, unknown>;
  const c = deepCopy(o);
  assert.ok(Object.hasOwn(c, '__proto__'));
  assert.equal(Object.getPrototypeOf(c), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(JSON.stringify(c), '{"__proto__":{"polluted":true},"k":1}');
});
