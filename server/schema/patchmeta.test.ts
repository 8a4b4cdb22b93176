import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { componentSchemasFor } from '../../scripts/generate-openapi.js';
import type { ResourceInfo } from '../registry/resource.js';
import { patchMetaFor } from './patchmeta.js';
import { SchemaIndex, type SchemaObject } from './schemas.js';

function resource(group: string, version: string, resource: string, kind: string): ResourceInfo {
  return { group, versions: [{ name: version }], resource, singular: kind.toLowerCase(), kind, namespaced: true, strategy: { table: { columns: [], cells: () => [] } } };
}

describe('patchMetaFor', () => {
  let index: SchemaIndex;
  const sts = { group: 'apps', version: 'v1', kind: 'StatefulSet' };
  before(() => {
    index = new SchemaIndex(componentSchemasFor([resource('apps', 'v1', 'statefulsets', 'StatefulSet'), resource('', 'v1', 'services', 'Service')]) as Record<string, SchemaObject>);
  });

  it('merges containers by name', () => {
    assert.deepEqual(patchMetaFor(sts, ['spec', 'template', 'spec', 'containers'], index), {
      kind: 'list', strategy: 'merge', mergeKey: 'name', listType: 'map', listMapKeys: ['name'], itemKind: 'map', schema: 'io.k8s.api.core.v1.Container',
    });
  });

  it('steps into list items implicitly: container ports merge by containerPort', () => {
    const ports = patchMetaFor(sts, ['spec', 'template', 'spec', 'containers', 'ports'], index);
    assert.equal(ports.mergeKey, 'containerPort');
    assert.equal(ports.strategy, 'merge');
    assert.deepEqual(ports.listMapKeys, ['containerPort', 'protocol']);
    assert.equal(patchMetaFor('io.k8s.api.core.v1.Container', ['ports'], index).mergeKey, 'containerPort');
  });

  it('merges service ports by port', () => {
    const ports = patchMetaFor({ group: '', version: 'v1', kind: 'Service' }, ['spec', 'ports'], index);
    assert.equal(ports.mergeKey, 'port');
    assert.equal(ports.strategy, 'merge');
  });

  it('treats finalizers as a set of scalars and ownerReferences as merged by uid', () => {
    assert.deepEqual(patchMetaFor(sts, ['metadata', 'finalizers'], index), { kind: 'list', strategy: 'merge', listType: 'set', itemKind: 'scalar' });
    assert.equal(patchMetaFor(sts, ['metadata', 'ownerReferences'], index).mergeKey, 'uid');
  });

  it('keeps retainKeys on volumes and leaves untagged lists to be replaced', () => {
    assert.equal(patchMetaFor(sts, ['spec', 'template', 'spec', 'volumes'], index).strategy, 'merge,retainKeys');
    const command = patchMetaFor(sts, ['spec', 'template', 'spec', 'containers', 'command'], index);
    assert.equal(command.strategy, undefined);
    assert.equal(command.listType, 'atomic');
    assert.equal(patchMetaFor(sts, ['spec', 'volumeClaimTemplates'], index).strategy, undefined);
  });

  it('describes maps, map values, scalars and unknown paths', () => {
    assert.deepEqual(patchMetaFor(sts, [], index), { kind: 'map', schema: 'io.k8s.api.apps.v1.StatefulSet' });
    assert.deepEqual(patchMetaFor(sts, ['spec', 'template'], index), { kind: 'map', schema: 'io.k8s.api.core.v1.PodTemplateSpec' });
    assert.deepEqual(patchMetaFor(sts, ['metadata', 'labels'], index), { kind: 'map' });
    assert.deepEqual(patchMetaFor(sts, ['metadata', 'labels', 'app'], index), { kind: 'scalar' });
    assert.deepEqual(patchMetaFor(sts, ['spec', 'replicas'], index), { kind: 'scalar' });
    assert.deepEqual(patchMetaFor(sts, ['spec', 'nope'], index), { kind: 'unknown' });
    assert.deepEqual(patchMetaFor({ group: 'x', version: 'v1', kind: 'Nope' }, ['spec'], index), { kind: 'unknown' });
    assert.equal(patchMetaFor(sts, ['spec', 'template', 'spec', 'nodeSelector'], index).mapType, 'atomic');
  });
});
