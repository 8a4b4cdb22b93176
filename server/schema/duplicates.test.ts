import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDuplicateFields } from './duplicates.js';
import { SchemaIndex } from './schemas.js';

describe('findDuplicateFields', () => {
  it('reports repeated keys with the strict decoder path format', () => {
    const text = `{"kind":"StatefulSet","spec":{"replicas":1,"replicas":2,
      "template":{"metadata":{"labels":{"app":"a","app":"b"}},
        "spec":{"containers":[{"name":"a"},{"name":"b","image":"x","image":"y"}]}}},"kind":"StatefulSet"}`;
    assert.deepEqual(findDuplicateFields(text), [
      'spec.replicas',
      'spec.template.metadata.labels.app',
      'spec.template.spec.containers[1].image',
      'kind',
    ]);
  });

  it('reports each path once and finds nothing in clean or empty documents', () => {
    assert.deepEqual(findDuplicateFields('{"a":1,"a":2,"a":3}'), ['a']);
    assert.deepEqual(findDuplicateFields('{"a":{"b":[]},"c":"a\\"a","d":{}}'), []);
    assert.deepEqual(findDuplicateFields('[]'), []);
  });

  it('compares keys after unescaping', () => {
    assert.deepEqual(findDuplicateFields('{"a":1,"\\u0061":2}'), ['a']);
  });

  it('returns what it found before a syntax error instead of throwing', () => {
    assert.deepEqual(findDuplicateFields('{"a":1,"a":2,'), ['a']);
  });

  it('with a schema, skips unknown fields and opaque objects as the typed decoder does', () => {
    const index = new SchemaIndex({
      Thing: { type: 'object', properties: { spec: { type: 'object', properties: { n: { type: 'integer' } } }, data: { allOf: [{ $ref: '#/components/schemas/Raw' }] } } },
      Raw: { type: 'object' },
    });
    const text = '{"spec":{"n":1,"n":2},"extra":{"x":1,"x":2},"data":{"y":1,"y":2}}';
    assert.deepEqual(findDuplicateFields(text, { schema: { index, name: 'Thing' } }), ['spec.n']);
    assert.deepEqual(findDuplicateFields(text), ['spec.n', 'extra.x', 'data.y']);
  });

  it('given the parsed value, answers as the full scan does', () => {
    const texts = [
      '{"a":1,"a":2}',
      '{"a":1,"\\u0061":2}',
      '{"a":{"b":1},"c":[{"d":1,"d":2}]}',
      '{"a":"x\\":1,\\"y","b":"\\\\","c":{"k" : 1, "k" :2}}',
      '{"s":"\\"a\\":1","s2":"}{:\\"\\"","n":[1,{"m":{"m":{}}}]}',
      '{"__proto__":1,"__proto__":2}',
      '{"a" \n:\t1,"b":{},"a":[]}',
      '[{"x":1},{"x":1,"y":2,"y":3}]',
      '{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80}]}]},"metadata":{"labels":{"a":"b"}}}',
    ];
    for (const text of texts) {
      const parsed = JSON.parse(text) as unknown;
      assert.deepEqual(findDuplicateFields(text, { parsed }), findDuplicateFields(text), text);
    }
    assert.deepEqual(findDuplicateFields('{"a":1,"a":2}', { parsed: JSON.parse('{"a":1,"a":2}') }), ['a']);
  });
});
