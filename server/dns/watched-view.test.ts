import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../meta/clock.js';
import type { WatchEvent } from '../meta/types.js';
import { connectDnsView, WatchedDnsView, type DnsWatchedResource } from './watched-view.js';
import { added, deleted, endpointSliceObject, modified, namespaceObject, podObject, serviceObject, terra10Endpoints, terra10Ports } from './seed-fixtures.js';

function seededView(): WatchedDnsView {
  const view = new WatchedDnsView({ clock: new FakeClock() });
  view.apply('namespaces', added(namespaceObject('default')));
  view.apply('services', added(serviceObject('default', 'terra10-hs', { clusterIP: 'None', ports: terra10Ports })));
  view.apply('endpointslices', added(endpointSliceObject('default', 'terra10-hs', terra10Endpoints(['10.244.0.5', '10.244.0.6']), terra10Ports)));
  return view;
}

test('watch events become stripped records indexed by name and IP', () => {
  const view = seededView();
  const svc = view.service('default', 'Terra10-HS');
  assert.equal(svc?.headless, true);
  assert.deepEqual(svc?.clusterIPs, []);
  assert.deepEqual(view.endpoints('default', 'terra10-hs').map((e) => [e.hostname, e.addresses[0], e.ports.map((p) => p.port)]), [
    ['terra10-0', '10.244.0.5', [8090, 8092]],
    ['terra10-1', '10.244.0.6', [8090, 8092]],
  ]);
  assert.equal(view.endpointsByIP('10.244.0.6')[0]?.targetPodName, 'terra10-1');
  assert.equal(view.hasNamespace('DEFAULT'), true);
  assert.equal(view.hasNamespace('other'), false);
});

test('modification re-indexes and deletion forgets', () => {
  const view = seededView();
  const changesBefore = view.changeCount();
  view.apply('endpointslices', modified(endpointSliceObject('default', 'terra10-hs', terra10Endpoints(['10.244.0.5']), terra10Ports)));
  assert.equal(view.endpoints('default', 'terra10-hs').length, 1);
  assert.deepEqual(view.endpointsByIP('10.244.0.6'), []);
  assert.ok(view.changeCount() > changesBefore);

  view.apply('services', added(serviceObject('default', 'web', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] })));
  assert.equal(view.servicesByIP('10.96.0.20')[0]?.name, 'web');
  view.apply('services', deleted(serviceObject('default', 'web', { clusterIP: '10.96.0.20' })));
  assert.deepEqual(view.servicesByIP('10.96.0.20'), []);
  assert.equal(view.service('default', 'web'), undefined);

  view.apply('pods', added(podObject('default', 'p', '10.244.0.9')));
  assert.equal(view.podsByIP('10.244.0.9')[0]?.name, 'p');
  view.apply('pods', deleted(podObject('default', 'p', '10.244.0.9')));
  assert.deepEqual(view.podsByIP('10.244.0.9'), []);

  view.apply('namespaces', deleted(namespaceObject('default')));
  assert.equal(view.hasNamespace('default'), false);
});

test('slices of one service merge, and the serial only grows', () => {
  const clock = new FakeClock();
  const view = new WatchedDnsView({ clock });
  view.apply('endpointslices', added(endpointSliceObject('default', 'big', [{ ip: '10.0.0.1' }], [], 'big-1')));
  const s1 = view.serial();
  view.apply('endpointslices', added(endpointSliceObject('default', 'big', [{ ip: '10.0.0.2' }], [], 'big-2')));
  assert.ok(view.serial() > s1);
  assert.deepEqual(view.endpoints('default', 'big').map((e) => e.addresses[0]).sort(), ['10.0.0.1', '10.0.0.2']);
  clock.advance(3_600_000);
  view.apply('endpointslices', deleted(endpointSliceObject('default', 'big', [], [], 'big-1')));
  assert.ok(view.serial() >= Math.floor(clock.now() / 1000));
  assert.deepEqual(view.endpoints('default', 'big').map((e) => e.addresses[0]), ['10.0.0.2']);
});

test('connectDnsView marks each resource synced once its subscription has replayed the list', async () => {
  const view = new WatchedDnsView({ clock: new FakeClock() });
  const handlers = new Map<DnsWatchedResource, (e: WatchEvent) => void>();
  let stopped = 0;
  const pending: (() => void)[] = [];
  const connected = connectDnsView(view, (resource, handler) => {
    handlers.set(resource, handler);
    if (resource === 'namespaces') handler(added(namespaceObject('default')));
    if (resource === 'pods') return new Promise((resolve) => pending.push(() => resolve(() => stopped++)));
    return () => stopped++;
  });
  await Promise.resolve();
  assert.equal(view.hasSynced(), false, 'pods have not finished their initial list');
  pending.forEach((p) => p());
  const stop = await connected;
  assert.equal(view.hasSynced(), true);
  assert.equal(view.hasNamespace('default'), true);
  handlers.get('services')!(added(serviceObject('default', 'later', { clusterIP: '10.96.0.30' })));
  assert.equal(view.service('default', 'later')?.clusterIPs[0], '10.96.0.30');
  stop();
  assert.equal(stopped, 4);
});

test('replaceAll drops what a relist no longer holds', () => {
  const view = seededView();
  view.replaceAll('services', [serviceObject('default', 'web', { clusterIP: '10.96.0.20' })]);
  assert.equal(view.service('default', 'terra10-hs'), undefined);
  assert.equal(view.service('default', 'web')?.clusterIPs[0], '10.96.0.20');
  view.replaceAll('namespaces', [namespaceObject('kube-system')]);
  assert.equal(view.hasNamespace('default'), false);
  assert.equal(view.hasNamespace('kube-system'), true);
});
