import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPodStatus, imageID, normalizeImage } from './pod-status.js';
import { ignoresSigterm } from './runtime.js';

test('images are normalised as containerd reports them', () => {
  assert.equal(normalizeImage('nginx'), 'docker.io/library/nginx:latest');
  assert.equal(normalizeImage('lgorissen/terra10-transporter:podname'), 'docker.io/lgorissen/terra10-transporter:podname');
  assert.equal(normalizeImage('registry.k8s.io/pause:3.10'), 'registry.k8s.io/pause:3.10');
  assert.match(imageID('nginx'), /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
});

test('a creating pod is Pending with unready conditions naming its containers', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'a' }, { name: 'b' }] }, status: { qosClass: 'BestEffort' } };
  const s = buildPodStatus({
    pod, now, hostIP: '127.0.0.1', startTime: now, initContainers: [],
    containers: [{ name: 'a', image: 'nginx', restartCount: 0, waiting: { reason: 'ContainerCreating' } }, { name: 'b', image: 'nginx', restartCount: 0, waiting: { reason: 'ContainerCreating' } }],
  });
  assert.equal(s.phase, 'Pending');
  assert.equal(s.podIP, undefined);
  assert.deepEqual(s.conditions?.map((c) => [c.type, c.status, c.reason ?? '']), [
    ['PodReadyToStartContainers', 'False', ''], ['Initialized', 'True', ''], ['Ready', 'False', 'ContainersNotReady'], ['ContainersReady', 'False', 'ContainersNotReady'],
  ]);
  assert.equal(s.conditions?.[2].message, 'containers with unready status: [a b]');
  assert.equal(s.containerStatuses?.[0].image, 'nginx', 'the spec image until the container ran');
});

test('sleep as PID 1 ignores SIGTERM', () => {
  assert.equal(ignoresSigterm({ name: 'c', command: ['sleep', '3600'] }), true);
  assert.equal(ignoresSigterm({ name: 'c', command: ['sh', '-c', 'sleep 3600'] }), true);
  assert.equal(ignoresSigterm({ name: 'c', command: ['nginx'] }), false);
  assert.equal(ignoresSigterm({ name: 'c' }), false);
});
