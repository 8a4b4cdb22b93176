import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { StatusError } from '../../meta/errors.js';
import { parseDeleteBody, parseObjectBody } from '../body.js';
import { decodeKubernetesProtobuf } from './envelope.js';
import { bool, bytes, encode, entry, envelope, freshMeta, int, str, sub, time } from './wire-builder.test-helper.js';

function statusOf(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected a StatusError, got ${String(e)}`);
    return { code: e.code, message: e.status.message ?? '' };
  }
  assert.fail('expected the decoder to refuse the body');
}

/** `kubectl create service clusterip gold --tcp=80:8080` as kubectl 1.32 sent it (from `kubectl -v=9`). */
const kubectlServiceHex = `
6b 38 73 00 0a 0d 0a 02 76 31 12 07 53 65 72 76 69 63 65 12 6c 0a 21 0a 04 67 6f 6c 64 12 00 1a
00 22 00 2a 00 32 00 38 00 42 00 5a 0b 0a 03 61 70 70 12 04 67 6f 6c 64 12 43 0a 1b 0a 07 38 30
2d 38 30 38 30 12 03 54 43 50 18 50 22 07 08 00 10 90 3f 1a 00 28 00 12 0b 0a 03 61 70 70 12 04
67 6f 6c 64 1a 00 22 09 43 6c 75 73 74 65 72 49 50 3a 00 42 00 52 00 5a 00 60 00 68 00 1a 02 0a
00 1a 00 22 00`;

describe('decodeKubernetesProtobuf', () => {
  it('decodes the Service body kubectl really sends into the JSON form, dropping gogo zero values', () => {
    const body = Buffer.from(kubectlServiceHex.replace(/\s+/g, ''), 'hex');
    assert.deepEqual(decodeKubernetesProtobuf(body), {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'gold', labels: { app: 'gold' } },
      spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'gold' }, type: 'ClusterIP' },
      status: { loadBalancer: {} },
    });
  });

  it('decodes a Namespace', () => {
    const raw = encode(sub(1, ...freshMeta('foo'), entry(11, 'team', 'a'), entry(12, 'note', 'n')), sub(2, str(1, 'kubernetes')), sub(3, str(1, '')));
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'Namespace', raw)), {
      kind: 'Namespace', apiVersion: 'v1',
      metadata: { name: 'foo', labels: { team: 'a' }, annotations: { note: 'n' } },
      spec: { finalizers: ['kubernetes'] },
      status: {},
    });
  });

  it('decodes a ConfigMap with data, binaryData as base64, and immutable: false kept (a pointer field)', () => {
    const bin = Uint8Array.from([0, 1, 2, 0xff]);
    const raw = encode(sub(1, ...freshMeta('x', 'default')), entry(2, 'a', 'b'), entry(2, 'f.txt', 'line\n'), entry(3, 'blob', bin), bool(4, false));
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', raw)), {
      kind: 'ConfigMap', apiVersion: 'v1',
      metadata: { name: 'x', namespace: 'default' },
      data: { a: 'b', 'f.txt': 'line\n' },
      binaryData: { blob: 'AAEC/w==' },
      immutable: false,
    });
  });

  it('decodes a Secret: data bytes become base64 as the JSON form carries them', () => {
    const raw = encode(sub(1, ...freshMeta('s')), entry(2, 'k', new TextEncoder().encode('v')), str(3, 'Opaque'), entry(4, 'plain', 'text'));
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'Secret', raw)), {
      kind: 'Secret', apiVersion: 'v1', metadata: { name: 's' }, data: { k: 'dg==' }, type: 'Opaque', stringData: { plain: 'text' },
    });
  });

  it('decodes a Service with a named targetPort, nodePort, session affinity and the pointer fields', () => {
    const port = sub(1, str(1, 'http'), str(2, 'TCP'), int(3, 80), sub(4, int(1, 1), int(2, 0), str(3, 'web')), int(5, 30080), str(6, 'http'));
    const spec = sub(2, port, entry(2, 'app', 'web'), str(3, 'None'), str(4, 'NodePort'), str(7, 'ClientIP'),
      sub(14, sub(1, int(1, 600))), str(17, 'SingleStack'), str(18, 'None'), str(19, 'IPv4'), bool(20, false), bool(13, true));
    const raw = encode(sub(1, ...freshMeta('web')), spec, sub(3, sub(1)));
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'Service', raw)).spec, {
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'web', nodePort: 30080, appProtocol: 'http' }],
      selector: { app: 'web' }, clusterIP: 'None', type: 'NodePort', sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } }, ipFamilyPolicy: 'SingleStack',
      clusterIPs: ['None'], ipFamilies: ['IPv4'], allocateLoadBalancerNodePorts: false, publishNotReadyAddresses: true,
    });
  });

  it('decodes a ServiceAccount with secrets and imagePullSecrets', () => {
    const raw = encode(sub(1, ...freshMeta('sa')), sub(2, str(1, 'Secret'), str(3, 'tok')), sub(3, str(1, 'pull')), bool(4, true));
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'ServiceAccount', raw)), {
      kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'sa' },
      secrets: [{ kind: 'Secret', name: 'tok' }], imagePullSecrets: [{ name: 'pull' }], automountServiceAccountToken: true,
    });
  });

  it('decodes ObjectMeta times, owner references and managed fields', () => {
    const owner = sub(13, str(5, 'apps/v1'), str(1, 'StatefulSet'), str(3, 'web'), str(4, 'u-1'), bool(6, true), bool(7, true));
    const managed = sub(17, str(1, 'kubectl-create'), str(2, 'Update'), str(3, 'v1'), time(4, 1_700_000_000, 5),
      str(6, 'FieldsV1'), sub(7, bytes(1, new TextEncoder().encode('{"f:data":{"f:a":{}}}'))));
    const meta = sub(1, str(1, 'x'), str(6, '42'), int(7, 3), time(8, 1_700_000_000, 999), time(9, 0), int(10, 0), str(14, 'f1'), owner, managed);
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', encode(meta))).metadata, {
      name: 'x', resourceVersion: '42', generation: 3,
      creationTimestamp: '2023-11-14T22:13:20Z',
      deletionTimestamp: '1970-01-01T00:00:00Z',
      deletionGracePeriodSeconds: 0,
      finalizers: ['f1'],
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u-1', controller: true, blockOwnerDeletion: true }],
      managedFields: [{ manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: '2023-11-14T22:13:20Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }],
    });
  });

  it('decodes DeleteOptions with an empty raw, as kubectl drain sends it, and with every field set', () => {
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'DeleteOptions', new Uint8Array())), { kind: 'DeleteOptions', apiVersion: 'v1' });
    const raw = encode(int(1, 0), sub(2, str(1, 'u-1'), str(2, '7')), bool(3, false), str(4, 'Foreground'), str(5, 'All'));
    assert.deepEqual(decodeKubernetesProtobuf(envelope('meta.k8s.io/v1', 'DeleteOptions', raw)), {
      kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1',
      gracePeriodSeconds: 0, preconditions: { uid: 'u-1', resourceVersion: '7' }, orphanDependents: false, propagationPolicy: 'Foreground', dryRun: ['All'],
    });
  });

  it('answers 415 naming a kind it has no table for', () => {
    const r = statusOf(() => decodeKubernetesProtobuf(envelope('v1', 'Node', encode(sub(1, str(1, 'p'))))));
    assert.equal(r.code, 415);
    assert.match(r.message, /kind Node \(apiVersion v1\)/);
    assert.match(r.message, /application\/json/);
  });

  it('answers 415 naming a field number it has no table entry for', () => {
    const r = statusOf(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', encode(sub(1, str(1, 'x')), str(99, 'new')))));
    assert.equal(r.code, 415);
    assert.match(r.message, /field number 99 of k8s\.io\.api\.core\.v1\.ConfigMap/);
    const nested = statusOf(() => decodeKubernetesProtobuf(envelope('v1', 'Service', encode(sub(2, sub(1, str(42, 'x')))))));
    assert.match(nested.message, /field number 42 of k8s\.io\.api\.core\.v1\.ServicePort \(at spec\.ports\)/);
  });

  it('answers 415 for a content encoding it does not implement', () => {
    const r = statusOf(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', new Uint8Array(), [str(3, 'gzip')])));
    assert.equal(r.code, 415);
    assert.match(r.message, /content encoding "gzip"/);
  });

  it('answers 400 for bytes that are not a protobuf body or are cut short', () => {
    assert.equal(statusOf(() => decodeKubernetesProtobuf(Buffer.from('{"kind":"ConfigMap"}'))).code, 400);
    const whole = envelope('v1', 'ConfigMap', encode(sub(1, str(1, 'x')), entry(2, 'a', 'b')));
    const cut = statusOf(() => decodeKubernetesProtobuf(whole.subarray(0, whole.length - 3)));
    assert.equal(cut.code, 400);
    const wrongWire = statusOf(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', encode(int(1, 5)))));
    assert.equal(wrongWire.code, 400);
    assert.match(wrongWire.message, /metadata: wire type 0/);
  });
});

describe('body parsing with protobuf', () => {
  it('parseObjectBody decodes application/vnd.kubernetes.protobuf and still refuses other types', () => {
    const body = envelope('v1', 'Namespace', encode(sub(1, str(1, 'foo'))));
    assert.deepEqual(parseObjectBody(body, 'application/vnd.kubernetes.protobuf'), { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'foo' } });
    assert.equal(statusOf(() => parseObjectBody(body, 'application/cbor')).code, 415);
  });

  it('parseDeleteBody decodes protobuf DeleteOptions and JSON ones', () => {
    const pb = envelope('v1', 'DeleteOptions', encode(str(4, 'Background')));
    assert.deepEqual(parseDeleteBody(pb, 'application/vnd.kubernetes.protobuf'), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
    assert.deepEqual(parseDeleteBody(Buffer.from('{"propagationPolicy":"Orphan"}'), 'application/json'), { propagationPolicy: 'Orphan' });
  });
});

describe('hostile protobuf bodies', () => {
  it('keeps a "__proto__" map key as data', () => {
    const raw = encode(sub(1, str(1, 'x')), entry(2, '__proto__', 'v'));
    const cm = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', raw));
    const data = cm.data as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.deepEqual(Object.keys(data), ['__proto__']);
    assert.equal(JSON.stringify(data), '{"__proto__":"v"}');
  });

  it('answers random and mutated bodies with a 400 or 415 StatusError, never anything else', () => {
    const valid = Buffer.from(kubectlServiceHex.replace(/\s+/g, ''), 'hex');
    const mutated = fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(valid.length))
      .map(([at, byte, cut]) => { const b = Buffer.from(valid); b[Math.max(4, at)] = byte; return b.subarray(0, Math.max(4, cut)); });
    const random = fc.uint8Array({ maxLength: 96 }).map((b) => Buffer.concat([Buffer.from('k8s\0', 'latin1'), b]));
    fc.assert(fc.property(fc.oneof(mutated, random), (body) => {
      try {
        decodeKubernetesProtobuf(body);
      } catch (e) {
        assert.ok(e instanceof StatusError, String(e));
        assert.ok(e.code === 400 || e.code === 415, `code ${e.code}`);
      }
    }), { numRuns: 2000, seed: 42 });
  });
});
