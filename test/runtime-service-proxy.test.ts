import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { pino } from 'pino';
import type { KubeObject } from '../server/meta/types.js';
import { startServiceProxy, type ServiceProxy } from '../server/runtime/service-proxy.js';
import { httpGet, testSubnet } from '../server/runtime/test-fixtures.js';
import { ControllerHarness } from './helpers/controller-harness.js';

const services = { group: '', resource: 'services' };
const slices = { group: 'discovery.k8s.io', resource: 'endpointslices' };
const nodesGr = { group: '', resource: 'nodes' };

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = await f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as { port: number }).port)));
}

describe('service proxy: ClusterIP connections round robin over ready endpoints', () => {
  const h = new ControllerHarness();
  const net = testSubnet();
  const backends: Server[] = [];
  let proxy: ServiceProxy;
  let clusterIP = '';
  let slice: EndpointSlice & KubeObject;
  const svcPort = 20000 + Math.floor(Math.random() * 20000);

  before(async () => {
    h.start();
    const ports: number[] = [];
    for (const name of ['a', 'b']) {
      const s = createServer((_req, res) => res.end(name));
      backends.push(s);
      ports.push(await listen(s, `${net}.${name === 'a' ? 11 : 12}`));
    }
    // both backends on one port number, as pods of one Deployment would be
    backends[1].close();
    backends[1] = createServer((_req, res) => res.end('b'));
    await new Promise<void>((resolve) => backends[1].listen(ports[0], `${net}.12`, () => resolve()));
    const svc = await h.client.create<Service & KubeObject>(services, 'default', {
      metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: svcPort, targetPort: ports[0], protocol: 'TCP' }] },
    });
    clusterIP = svc.spec!.clusterIP!;
    slice = {
      metadata: { name: 'web-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [
        { addresses: [`${net}.11`], conditions: { ready: true } },
        { addresses: [`${net}.12`], conditions: { ready: true } },
      ],
      ports: [{ name: 'http', port: ports[0], protocol: 'TCP' }],
    };
    slice = await h.client.create<EndpointSlice & KubeObject>(slices, 'default', slice);
    proxy = startServiceProxy({ informers: h.informers, logger: pino({ level: 'silent' }) });
    await until('the listener', () => proxy.listeners().includes(`${clusterIP}:${svcPort}`));
  });
  after(async () => {
    await proxy.stop();
    for (const s of backends) s.close();
    h.stop();
  });

  it('a NodePort service also listens on every node\'s InternalIP at its nodePort, until it is deleted', async () => {
    await h.client.create(nodesGr, '', { metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: `${net}.1` }, { type: 'Hostname', address: 'n1' }] } });
    const np = await h.client.create<Service & KubeObject>(services, 'default', {
      metadata: { name: 'web-np', namespace: 'default' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: svcPort + 1, targetPort: slice.ports![0].port!, protocol: 'TCP' }] },
    });
    await h.client.create<EndpointSlice & KubeObject>(slices, 'default', { ...structuredClone(slice), metadata: { name: 'web-np-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web-np' } } });
    const nodePort = np.spec!.ports![0].nodePort!;
    assert.ok(nodePort >= 30000 && nodePort <= 32767, String(nodePort));
    await until('the node port listener', () => proxy.listeners().includes(`${net}.1:${nodePort}`));
    assert.match((await httpGet(`http://${net}.1:${nodePort}/`)).body, /^[ab]$/);
    await h.client.delete(services, 'default', 'web-np');
    await until('the listener to close', () => !proxy.listeners().includes(`${net}.1:${nodePort}`) || undefined);
    await assert.rejects(httpGet(`http://${net}.1:${nodePort}/`));
  });

  it('spreads connections over both ready endpoints in turn', async () => {
    assert.match(clusterIP, /^127\./);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push((await httpGet(`http://${clusterIP}:${svcPort}/`)).body);
    assert.deepEqual(seen.slice().sort(), ['a', 'a', 'b', 'b']);
    assert.notEqual(seen[0], seen[1]);
  });

  it('stops sending to an endpoint that turns unready', async () => {
    const next = structuredClone(slice);
    next.endpoints![1].conditions = { ready: false };
    slice = await h.client.update<EndpointSlice & KubeObject>(slices, 'default', next);
    await until('the slice update', () => h.informers.for('discovery.k8s.io', 'endpointslices').get('default', 'web-abcde')?.metadata.resourceVersion === slice.metadata.resourceVersion);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push((await httpGet(`http://${clusterIP}:${svcPort}/`)).body);
    assert.deepEqual(seen, ['a', 'a', 'a', 'a']);
  });

  it('refuses connections when no endpoint is ready', async () => {
    const next = structuredClone(slice);
    next.endpoints![0].conditions = { ready: false };
    slice = await h.client.update<EndpointSlice & KubeObject>(slices, 'default', next);
    await until('the slice update', () => h.informers.for('discovery.k8s.io', 'endpointslices').get('default', 'web-abcde')?.metadata.resourceVersion === slice.metadata.resourceVersion);
    await assert.rejects(httpGet(`http://${clusterIP}:${svcPort}/`));
  });
});
