import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { componentSchemasFor } from '../../scripts/generate-openapi.js';
import type { KubeObject } from '../meta/types.js';
import type { ResourceInfo } from '../registry/resource.js';
import { decodeFields, schemaBodyDecoder } from './decode.js';
import { SchemaIndex, type SchemaObject } from './schemas.js';

function resource(group: string, version: string, resource: string, kind: string): ResourceInfo {
  return { group, versions: [{ name: version }], resource, singular: kind.toLowerCase(), kind, namespaced: true, strategy: { table: { columns: [], cells: () => [] } } };
}

const pruneUnknownFields = (index: SchemaIndex, name: string, obj: unknown): string[] => decodeFields(index, name, obj).unknownFields;

describe('decodeFields', () => {
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

  it('reports the first value of the wrong JSON type as encoding/json in Go does', () => {
    const typeError = (name: string, obj: unknown): string | undefined => decodeFields(index, name, obj).typeError;
    const sts = 'io.k8s.api.apps.v1.StatefulSet';
    assert.equal(typeError(sts, { metadata: {}, spec: '' }), 'json: cannot unmarshal string into Go struct field StatefulSet.spec of type v1.StatefulSetSpec');
    assert.equal(typeError(sts, { metadata: { labels: { a: 1 } } }), 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
    assert.equal(typeError(sts, { spec: { replicas: 'two' } }), 'json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type int32');
    assert.equal(typeError(sts, { spec: { replicas: 1.5 } }), 'json: cannot unmarshal number 1.5 into Go struct field StatefulSetSpec.spec.replicas of type int32');
    assert.equal(typeError(sts, { spec: { replicas: 2 ** 31 } }), 'json: cannot unmarshal number 2147483648 into Go struct field StatefulSetSpec.spec.replicas of type int32');
    assert.equal(typeError(sts, { spec: { template: { spec: { containers: {} } } } }), 'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container');
    assert.equal(typeError(sts, { spec: { template: { spec: { containers: [{ name: 'a' }, 'b'] } } } }), 'json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.containers of type v1.Container');
    assert.equal(typeError(sts, { spec: { template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: '80' }] }] } } } }), 'json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32');
    assert.equal(typeError(sts, { spec: { updateStrategy: { rollingUpdate: { maxUnavailable: true } } } }), 'json: cannot unmarshal bool into Go struct field RollingUpdateStatefulSetStrategy.spec.updateStrategy.rollingUpdate.maxUnavailable of type int32');
    assert.equal(typeError(sts, { spec: { template: { spec: { containers: [{ name: 'a', resources: { limits: { cpu: {} } } }] } } } }), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    assert.equal(typeError(sts, { metadata: { creationTimestamp: 5 } }), 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string');
    // what Go accepts: null anywhere, int-or-string as either, quantities as numbers, anything in a RawExtension
    assert.equal(typeError(sts, { metadata: null, spec: { replicas: null, updateStrategy: { rollingUpdate: { maxUnavailable: '50%' } }, template: { spec: { containers: [{ name: 'a', resources: { limits: { cpu: 1 } } }] } } } }), undefined);
    assert.equal(typeError(sts, { spec: { updateStrategy: { rollingUpdate: { maxUnavailable: 2 } } } }), undefined);
    assert.equal(typeError('io.k8s.api.apps.v1.ControllerRevision', { data: 'anything', revision: 1 }), undefined);
  });

  it('treats null as Go does: a field as not sent, a list element or map value as its zero value', () => {
    const sts = {
      metadata: { name: 'web', labels: { a: null }, annotations: null },
      spec: {
        replicas: null,
        template: { spec: { containers: [null, { name: 'b', ports: [null], args: [null], resources: { limits: { cpu: null } } }] } },
        updateStrategy: { rollingUpdate: { maxUnavailable: null } },
      },
    };
    assert.deepEqual(decodeFields(index, 'io.k8s.api.apps.v1.StatefulSet', sts), { unknownFields: [], typeError: undefined });
    assert.deepEqual(sts, {
      metadata: { name: 'web', labels: { a: '' }, creationTimestamp: null },
      spec: {
        template: { spec: { containers: [{}, { name: 'b', ports: [{}], args: [''], resources: { limits: { cpu: '0' } } }] } },
        updateStrategy: { rollingUpdate: {} },
      },
    });
  });

  it('writes a zero metav1.Time that is not a pointer as null, as Go does, in the structs that are there', () => {
    const sts = {
      metadata: { name: 'web' },
      spec: { template: { metadata: { labels: { app: 'web' } } }, volumeClaimTemplates: [{ metadata: { name: 'data' } }] },
      status: { conditions: [{ type: 'Progressing', status: 'True' }] },
    };
    decodeFields(index, 'io.k8s.api.apps.v1.StatefulSet', sts);
    assert.deepEqual(sts, {
      metadata: { name: 'web', creationTimestamp: null },
      spec: {
        template: { metadata: { labels: { app: 'web' }, creationTimestamp: null } },
        volumeClaimTemplates: [{ metadata: { name: 'data', creationTimestamp: null } }],
      },
      status: { conditions: [{ type: 'Progressing', status: 'True', lastTransitionTime: null }] },
    });
  });

  it('serves as the registry BodyDecoder by kind and version', () => {
    const decoder = schemaBodyDecoder(() => index);
    const obj: KubeObject = { metadata: { name: 'web' }, spec: { replicas: 1, extra: 1 } };
    assert.deepEqual(decoder.decodeFields(resource('apps', 'v1', 'statefulsets', 'StatefulSet'), 'v1', obj), { unknownFields: ['spec.extra'], typeError: undefined });
    assert.deepEqual(obj.spec, { replicas: 1 });
    // A kind without a schema keeps everything.
    const other: KubeObject = { metadata: { name: 'x' }, spec: { extra: 1 } };
    assert.deepEqual(decoder.decodeFields(resource('example.io', 'v1', 'widgets', 'Widget'), 'v1', other), { unknownFields: [] });
  });
});
