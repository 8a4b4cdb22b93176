import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { componentSchemasFor } from '../../scripts/generate-openapi.js';
import type { KubeObject } from '../meta/types.js';
import type { ResourceInfo } from '../registry/resource.js';
import { pruneUnknownFields, schemaBodyDecoder } from './prune.js';
import { SchemaIndex, type SchemaObject } from './schemas.js';

function resource(group: string, version: string, resource: string, kind: string): ResourceInfo {
  return { group, versions: [{ name: version }], resource, singular: kind.toLowerCase(), kind, namespaced: true, strategy: { table: { columns: [], cells: () => [] } } };
}

describe('pruneUnknownFields', () => {
  let index: SchemaIndex;
  before(() => {
    index = new SchemaIndex(componentSchemasFor([resource('apps', 'v1', 'statefulsets', 'StatefulSet'), resource('apps', 'v1', 'controllerrevisions', 'ControllerRevision')]) as Record<string, SchemaObject>);
  });

  it('drops unknown fields at every depth and reports them as the strict decoder words them', () => {
    const sts = {
      metadata: { name: 'web', labels: { app: 'web' }, bogusMeta: 1 },
      spec: {
        replicas: 2,
        foo: 'x',
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              { name: 'a', image: 'nginx', ports: [{ containerPort: 80, colour: 'red' }] },
              { name: 'b', image: 'busybox', bogus: true, resources: { limits: { cpu: '1' } } },
            ],
          },
        },
      },
    };
    const unknown = pruneUnknownFields(index, 'io.k8s.api.apps.v1.StatefulSet', sts);
    assert.deepEqual(unknown.sort(), [
      'metadata.bogusMeta',
      'spec.foo',
      'spec.template.spec.containers[0].ports[0].colour',
      'spec.template.spec.containers[1].bogus',
    ]);
    assert.equal('foo' in sts.spec, false);
    assert.equal('bogus' in sts.spec.template.spec.containers[1], false);
    assert.equal('bogusMeta' in sts.metadata, false);
    // Known fields, map keys and quantities survive.
    assert.deepEqual(sts.spec.template.spec.containers[1], { name: 'b', image: 'busybox', resources: { limits: { cpu: '1' } } });
    assert.deepEqual(sts.metadata.labels, { app: 'web' });
  });

  it('keeps whatever an opaque RawExtension holds', () => {
    const rev = { metadata: { name: 'web-1' }, revision: 1, data: { spec: { template: { anything: true } } } };
    assert.deepEqual(pruneUnknownFields(index, 'io.k8s.api.apps.v1.ControllerRevision', rev), []);
    assert.deepEqual(rev.data, { spec: { template: { anything: true } } });
  });

  it('leaves values of the wrong type for validation', () => {
    const sts = { metadata: {}, spec: { template: 'nope', selector: null } };
    assert.deepEqual(pruneUnknownFields(index, 'io.k8s.api.apps.v1.StatefulSet', sts), []);
  });

  it('serves as the registry BodyDecoder by kind and version', () => {
    const decoder = schemaBodyDecoder(() => index);
    const obj: KubeObject = { metadata: { name: 'web' }, spec: { replicas: 1, extra: 1 } };
    assert.deepEqual(decoder.pruneUnknownFields(resource('apps', 'v1', 'statefulsets', 'StatefulSet'), 'v1', obj), ['spec.extra']);
    assert.deepEqual(obj.spec, { replicas: 1 });
    // A kind without a schema keeps everything.
    const other: KubeObject = { metadata: { name: 'x' }, spec: { extra: 1 } };
    assert.deepEqual(decoder.pruneUnknownFields(resource('example.io', 'v1', 'widgets', 'Widget'), 'v1', other), []);
  });
});
