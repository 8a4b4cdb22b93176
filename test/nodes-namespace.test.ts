import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { startNamespaceController } from '../server/controllers/namespace.js';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { startRootCAPublisher } from '../server/controllers/root-ca-publisher.js';
import { startServiceAccountsController } from '../server/controllers/serviceaccounts.js';
import type { KubeObject } from '../server/meta/types.js';
import { startNodes, storagePodBinder } from '../server/nodes/index.js';
import { core, podManifest, startHarness, type Harness } from './nodes-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test('deleting a namespace deletes its content, pods through their kubelets', async () => {
  h = await startHarness({ podStopDelayMs: 1000 });
  h.controllers.push(...startNodes(h.deps, { binder: storagePodBinder(h.storage, h.clock) }).controllers, startNamespaceController(h.deps));
  h.deps.informers.start();
  await h.client.create(core('namespaces'), '', { metadata: { name: 'team' } });
  await h.client.create(core('pods'), 'team', podManifest('web-0'));
  await h.client.create(core('configmaps'), 'team', { metadata: { name: 'settings' } });
  await h.client.create(core('configmaps'), 'default', { metadata: { name: 'keep' } });
  await h.settle();
  await h.client.delete(core('namespaces'), '', 'team');
  await h.settle();
  assert.equal(await h.get('configmaps', 'team', 'settings'), undefined);
  assert.ok((await h.get('pods', 'team', 'web-0'))?.metadata.deletionTimestamp, 'the pod terminates gracefully');
  await h.advance(1000);
  assert.equal(await h.get('pods', 'team', 'web-0'), undefined);
  assert.ok(await h.get('configmaps', 'default', 'keep'));
  assert.equal(await h.get('namespaces', '', 'team'), undefined);
});

test('every active namespace has a default ServiceAccount, made again when deleted, none once terminating', async () => {
  h = await startHarness({});
  await h.client.create(core('namespaces'), '', { metadata: { name: 'early' } });
  h.controllers.push(startNamespaceController(h.deps));
  h.deps.informers.start();
  await h.settle();
  // started after another controller's informer already knew the namespaces
  h.controllers.push(startServiceAccountsController(h.deps));
  await h.client.create(core('namespaces'), '', { metadata: { name: 'team' } });
  await h.settle();
  assert.ok(await h.get('serviceaccounts', 'early', 'default'), 'a namespace that was there first has one too');
  const made = await h.get('serviceaccounts', 'team', 'default');
  assert.ok(made, 'the default account exists');
  await h.client.delete(core('serviceaccounts'), 'team', 'default');
  await h.settle();
  const again = await h.get('serviceaccounts', 'team', 'default');
  assert.ok(again && again.metadata.uid !== made.metadata.uid, 'deleted, it is made again');
  await h.client.delete(core('namespaces'), '', 'team');
  await h.settle();
  assert.equal(await h.get('serviceaccounts', 'team', 'default'), undefined, 'a terminating namespace keeps none');
  assert.equal(await h.get('namespaces', '', 'team'), undefined);
});

test('every active namespace has kube-root-ca.crt with the cluster CA, put back when deleted or changed, none once terminating', async () => {
  h = await startHarness({});
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  let publish!: (pem: string) => void;
  h.controllers.push(startNamespaceController(h.deps), startRootCAPublisher(h.deps, new Promise((r) => (publish = r))));
  h.deps.informers.start();
  await h.client.create(core('namespaces'), '', { metadata: { name: 'team' } });
  await h.settle();
  assert.equal(await h.get('configmaps', 'team', 'kube-root-ca.crt'), undefined, 'nothing before the CA is known');
  publish(pem);
  await h.settle();
  const cm = await h.get<ConfigMap & KubeObject>('configmaps', 'team', 'kube-root-ca.crt');
  assert.deepEqual(cm?.data, { 'ca.crt': pem });
  assert.match(cm?.metadata.annotations?.['kubernetes.io/description'] ?? '', /^Contains a CA bundle that can be used to verify the kube-apiserver/);
  assert.deepEqual((await h.list('configmaps')).map((c) => `${c.metadata.namespace}/${c.metadata.name}`).sort(),
    ['default', 'kube-node-lease', 'kube-public', 'kube-system', 'team'].map((ns) => `${ns}/kube-root-ca.crt`));

  await h.client.update(core('configmaps'), 'team', { ...cm!, data: { 'ca.crt': 'mine' } });
  await h.settle();
  assert.deepEqual((await h.get<ConfigMap & KubeObject>('configmaps', 'team', 'kube-root-ca.crt'))?.data, { 'ca.crt': pem });
  await h.client.delete(core('configmaps'), 'team', 'kube-root-ca.crt');
  await h.settle();
  assert.ok(await h.get('configmaps', 'team', 'kube-root-ca.crt'), 'made again');

  await h.client.create(core('pods'), 'team', podManifest('web-0'));
  await h.client.delete(core('namespaces'), '', 'team');
  await h.settle();
  assert.equal(await h.get('configmaps', 'team', 'kube-root-ca.crt'), undefined, 'not made again in a terminating namespace');
});
