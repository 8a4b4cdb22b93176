import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { seedDir } from '../../../test/helpers/seed.js';
import { parse } from 'yaml';
import { FakeClock } from '../../meta/clock.js';
import { StatusError } from '../../meta/errors.js';
import { MemoryStorage } from '../../store/memory.js';
import { Registry } from '../generic.js';
import { buildResources, defaultClusterConfig } from './index.js';
import { ServiceIPAllocator } from './ipallocator.js';
import type { ServiceObject } from './services.js';

function setup(cidr = '10.96.0.0/28') {
  const storage = new MemoryStorage();
  const clock = new FakeClock();
  const ips = new ServiceIPAllocator(cidr);
  const registry = new Registry({ storage, clock, resources: buildResources({ ...defaultClusterConfig, serviceCidr: cidr }, { storage, serviceIPs: ips }) });
  return { registry, clock, ips, ref: registry.ref('', 'services') };
}

const svc = (name: string, spec: Record<string, unknown> = {}) => ({ metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } });

async function causes(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, 422, e.message);
    return (e.status.details?.causes ?? []).map((c) => `${c.field}: ${c.message}`);
  }
  assert.fail('expected a 422');
}

test('ClusterIP services get the defaults and an address from the range', async () => {
  const { registry, ref, ips } = setup();
  const o = (await registry.create(ref, 'default', svc('web'))) as ServiceObject;
  const spec = o.spec!;
  assert.equal(spec.type, 'ClusterIP');
  assert.equal(spec.sessionAffinity, 'None');
  assert.deepEqual(spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  assert.ok(ips.inRange(spec.clusterIP!), spec.clusterIP);
  assert.deepEqual(spec.clusterIPs, [spec.clusterIP]);
  assert.deepEqual(spec.ipFamilies, ['IPv4']);
  assert.equal(spec.ipFamilyPolicy, 'SingleStack');
  assert.equal(spec.internalTrafficPolicy, 'Cluster');
  assert.deepEqual(o.status, { loadBalancer: {} });
});

test('the seed headless service stays headless and prints as kubectl shows it', async () => {
  const { registry, ref, clock, ips } = setup();
  const manifest = parse(readFileSync(join(seedDir, 'terra10-service-headless.yaml'), 'utf8'));
  const o = (await registry.create(ref, 'default', manifest)) as ServiceObject;
  assert.equal(o.spec!.clusterIP, 'None');
  assert.deepEqual(o.spec!.clusterIPs, ['None']);
  assert.equal(ips.allocatedCount, 0);
  clock.advance(7000);
  assert.deepEqual(ref.info.strategy.table.cells(o, clock.now()), ['terra10-hs', 'ClusterIP', 'None', '<none>', '8090/TCP,8092/TCP', '7s', 'app=terra10']);
});

test('a requested address is honoured, a taken or out-of-range one is a 422, and delete releases it', async () => {
  const { registry, ref, ips } = setup();
  const a = (await registry.create(ref, 'default', svc('a', { clusterIP: '10.96.0.2' }))) as ServiceObject;
  assert.equal(a.spec!.clusterIP, '10.96.0.2');
  assert.deepEqual(await causes(registry.create(ref, 'default', svc('b', { clusterIP: '10.96.0.2' }))), [
    'spec.clusterIPs: Invalid value: []string{"10.96.0.2"}: failed to allocate IP 10.96.0.2: provided IP is already allocated',
  ]);
  assert.deepEqual(await causes(registry.create(ref, 'default', svc('c', { clusterIP: '10.97.0.2' }))), [
    'spec.clusterIPs: Invalid value: []string{"10.97.0.2"}: failed to allocate IP 10.97.0.2: the provided IP (10.97.0.2) is not in the valid range. The range of valid IPs is 10.96.0.0/28',
  ]);
  await registry.delete(ref, 'default', 'a');
  assert.equal(ips.ownerOf('10.96.0.2'), undefined);
  const b = (await registry.create(ref, 'default', svc('b', { clusterIP: '10.96.0.2' }))) as ServiceObject;
  assert.equal(b.spec!.clusterIP, '10.96.0.2');
});

test('clusterIP is kept when an update leaves it out and may not change', async () => {
  const { registry, ref } = setup();
  const a = (await registry.create(ref, 'default', svc('a'))) as ServiceObject;
  const replaced = (await registry.update(ref, 'default', 'a', svc('a', { ports: [{ port: 81 }] }))) as ServiceObject;
  assert.equal(replaced.spec!.clusterIP, a.spec!.clusterIP);
  const other = a.spec!.clusterIP === '10.96.0.3' ? '10.96.0.4' : '10.96.0.3';
  assert.deepEqual(await causes(registry.update(ref, 'default', 'a', svc('a', { clusterIP: other, clusterIPs: [other] }))), [
    `spec.clusterIPs[0]: Invalid value: []string{"${other}"}: may not change once set`,
  ]);
});

test('port validation: names required with several ports, unique, in range; no ports needs headless', async () => {
  const { registry, ref, ips } = setup();
  assert.deepEqual(await causes(registry.create(ref, 'default', svc('a', { ports: [{ port: 80 }, { port: 81 }] }))), [
    'spec.ports[0].name: Required value',
    'spec.ports[1].name: Required value',
  ]);
  assert.deepEqual(await causes(registry.create(ref, 'default', svc('a', { ports: [{ name: 'x', port: 80 }, { name: 'x', port: 70000, protocol: 'HTTP' }] }))), [
    'spec.ports[1].name: Duplicate value: "x"',
    'spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    'spec.ports[1].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
  ]);
  assert.deepEqual(await causes(registry.create(ref, 'default', svc('a', { ports: [] }))), ['spec.ports: Required value']);
  assert.equal(ips.allocatedCount, 0, 'invalid services allocate nothing');
  const names = await causes(registry.create(ref, 'default', svc('1abc')));
  assert.match(names[0], /^metadata.name: Invalid value: "1abc": a DNS-1035 label/);
});

test('NodePort services get node ports and show them in PORT(S)', async () => {
  const { registry, ref, clock } = setup();
  const o = (await registry.create(ref, 'default', svc('np', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }))) as ServiceObject;
  assert.equal(o.spec!.externalTrafficPolicy, 'Cluster');
  assert.equal(ref.info.strategy.table.cells(o, clock.now())[4], '80:30080/TCP');
  const lb = (await registry.create(ref, 'default', svc('lb', { type: 'LoadBalancer' }))) as ServiceObject;
  assert.equal(ref.info.strategy.table.cells(lb, clock.now())[3], '<pending>');
});

test('field selectors on spec.clusterIP and spec.type', async () => {
  const { registry, ref } = setup();
  await registry.create(ref, 'default', svc('a'));
  await registry.create(ref, 'default', svc('h', { clusterIP: 'None' }));
  const page = await registry.list(ref, 'default', { fieldSelector: 'spec.clusterIP=None' });
  assert.deepEqual(page.items.map((i) => i.metadata.name), ['h']);
});
