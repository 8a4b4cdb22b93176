import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podHostnames } from './pod-hostname.js';

test("a StatefulSet pod's hostname and FQDN are the seed's", () => {
  const pod = { metadata: { name: 'terra10-0', namespace: 'default' }, spec: { containers: [], hostname: 'terra10-0', subdomain: 'terra10-hs' } };
  assert.deepEqual(podHostnames(pod), { hostname: 'terra10-0', fqdn: 'terra10-0.terra10-hs.default.svc.cluster.local' });
  assert.deepEqual(podHostnames({ ...pod, spec: { ...pod.spec, setHostnameAsFQDN: true } }).hostname, 'terra10-0.terra10-hs.default.svc.cluster.local');
});

test('without a subdomain the FQDN is the short name; long names are cut to 63 characters', () => {
  const long = 'a'.repeat(70);
  assert.deepEqual(podHostnames({ metadata: { name: long, namespace: 'x' }, spec: { containers: [] } }), { hostname: 'a'.repeat(63), fqdn: 'a'.repeat(63) });
  assert.deepEqual(podHostnames({ metadata: { name: 'busybox', namespace: 'x' }, spec: { containers: [], subdomain: 'hs' } }).fqdn, 'busybox.hs.x.svc.cluster.local');
});
