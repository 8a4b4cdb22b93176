import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { FakeClock } from '../meta/clock.js';
import { Registry } from '../registry/generic.js';
import { buildResources, defaultClusterConfig } from '../registry/kinds/index.js';
import { fieldTracker, patchApplier } from '../registry/patching.js';
import { findDuplicateFields, schemaBodyDecoder } from '../schema/index.js';
import { MemoryStorage } from '../store/memory.js';
import { createOpenApiRouter } from './openapi.js';
import { createApiApp, createApiListener, type ApiServerOptions } from './server.js';
import { versionInfo } from './version.js';

interface Raw {
  status: number;
  headers: string[];
  body: string;
}

interface Call {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** The status, the raw headers but Date, and the body with uids masked: what a client can tell two answers apart by. */
function send(port: number, c: Call): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: c.method, path: c.path, headers: c.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        const headers: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) if (res.rawHeaders[i] !== 'Date') headers.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
        resolve({ status: res.statusCode ?? 0, headers, body: body.replace(/"uid":"[^"]+"/g, '"uid":"*"') });
      });
    });
    req.on('error', reject);
    req.end(c.body);
  });
}

async function seededOptions(): Promise<ApiServerOptions> {
  const storage = new MemoryStorage();
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const registry = new Registry({
    storage, clock, resources: buildResources(defaultClusterConfig, { storage }), patcher: patchApplier(), fieldTracker: fieldTracker(), decoder: schemaBodyDecoder(),
  });
  await registry.create(registry.ref('', 'namespaces'), '', { metadata: { name: 'default' } });
  await registry.create(registry.ref('', 'configmaps'), 'default', { metadata: { name: 'cm', labels: { a: 'b' } }, data: { k: 'v' } });
  await registry.create(registry.ref('apps', 'statefulsets'), 'default', {
    metadata: { name: 'web' },
    spec: { serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  });
  return { registry, clock, logger: pino({ level: 'silent' }), version: versionInfo(32), findDuplicateFields: (json, parsed) => findDuplicateFields(json, { parsed }) };
}

const json = { 'content-type': 'application/json' };
const cm = (name: string, extra = ''): string => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"${extra}},"data":{"a":"1"}}`;

/**
 * The listener answers resource requests without express, and must answer them byte for byte as the
 * express app does. The same requests go, in the same order, to two servers over equal stores.
 */
describe('createApiListener answers as createApiApp', () => {
  const servers: Server[] = [];
  let viaApp: number;
  let viaListener: number;
  before(async () => {
    for (const listener of [createApiApp(await seededOptions()), createApiListener(await seededOptions())]) {
      const s = createServer(listener);
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      servers.push(s);
    }
    [viaApp, viaListener] = servers.map((s) => (s.address() as AddressInfo).port);
  });
  after(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  const calls: Call[] = [
    { method: 'GET', path: '/api/v1/namespaces/default/configmaps/cm' },
    { method: 'GET', path: '/apis/apps/v1/namespaces/default/statefulsets/web', headers: { accept: 'application/json, */*' } },
    { method: 'GET', path: '/api/v1/namespaces/default' },
    { method: 'GET', path: '/api/v1/namespaces/default/configmaps/cm', headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } },
    { method: 'GET', path: '/api/v1/namespaces/default/configmaps/cm?pretty=true' },
    { method: 'GET', path: '/api/v1/namespaces/default/configmaps/missing' },
    { method: 'GET', path: '/api/v1/namespaces/default/configmaps/%ff' },
    { method: 'GET', path: '/api/v1/namespaces/default/configmaps?labelSelector=a%3Db&limit=1' },
    { method: 'GET', path: '/apis/apps/v1beta1/namespaces/default/statefulsets/web' },
    { method: 'GET', path: '/apis/apps/v1/namespaces/default/statefulsets/web/scale' },
    { method: 'GET', path: '/api/v1/namespaces/default/pods/nope/log' },
    { method: 'GET', path: '/api/v1/namespaces/default/configmaps/cm/nonsense' },
    { method: 'POST', path: '/api/v1/namespaces/default/configmaps', headers: json, body: cm('made') },
    { method: 'POST', path: '/api/v1/namespaces/default/configmaps', headers: json, body: cm('made') },
    { method: 'POST', path: '/api/v1/namespaces/default/configmaps', headers: json, body: '{"metadata":' },
    { method: 'POST', path: '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', headers: json, body: cm('strict', ',"bogus":1') },
    { method: 'POST', path: '/api/v1/namespaces/default/configmaps', headers: json, body: cm('twice', ',"name":"again"') },
    { method: 'POST', path: '/api/v1/namespaces/default/configmaps?dryRun=All&dryRun=Some', headers: json, body: cm('dry') },
    { method: 'POST', path: '/api/v1/namespaces/default/configmaps', headers: { 'content-type': 'text/plain' }, body: 'x' },
    { method: 'POST', path: '/api/v1/namespaces/default/configmaps/made', headers: json, body: cm('made') },
    { method: 'PUT', path: '/api/v1/namespaces/default/configmaps/made', headers: json, body: cm('made', ',"resourceVersion":"1"') },
    { method: 'PATCH', path: '/api/v1/namespaces/default/configmaps/made', headers: { 'content-type': 'application/merge-patch+json' }, body: '{"data":{"b":"2"}}' },
    { method: 'PATCH', path: '/api/v1/namespaces/default/configmaps/applied?fieldManager=me', headers: { 'content-type': 'application/apply-patch+yaml' }, body: cm('applied') },
    { method: 'PATCH', path: '/apis/apps/v1/namespaces/default/statefulsets/web/scale', headers: { 'content-type': 'application/merge-patch+json' }, body: '{"spec":{"replicas":3}}' },
    { method: 'PUT', path: '/apis/apps/v1/namespaces/default/statefulsets/web/status', headers: json, body: '{"metadata":{"name":"web"},"status":{"replicas":1}}' },
    { method: 'DELETE', path: '/api/v1/namespaces/default/configmaps/made' },
    { method: 'DELETE', path: '/api/v1/namespaces/default/configmaps?labelSelector=a%3Db' },
    { method: 'HEAD', path: '/api/v1/namespaces/default/configmaps/cm' },
    { method: 'GET', path: '/api/v1/namespaces/default/configmaps' },
  ];
  for (const c of calls) {
    it(`${c.method} ${c.path}${c.headers?.accept ? ` (${c.headers.accept})` : ''}`, async () => {
      const [a, b] = [await send(viaApp, c), await send(viaListener, c)];
      assert.deepEqual(b, a);
      assert.ok(a.headers.includes('Cache-Control: no-cache, private'), a.headers.join('\n'));
    });
  }
});

describe('Cache-Control, as kube-apiserver\'s WithCacheControl sets it', () => {
  it('is no-cache, private unless a handler says otherwise (a hashed OpenAPI document)', async () => {
    const s = createServer(createApiListener({ ...(await seededOptions()), openapi: createOpenApiRouter({ clock: new FakeClock() }) }));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    try {
      const port = (s.address() as AddressInfo).port;
      const header = async (path: string): Promise<string | undefined> =>
        (await send(port, { method: 'GET', path })).headers.find((h) => h.startsWith('Cache-Control: '))?.slice('Cache-Control: '.length);
      for (const path of ['/version', '/api', '/api/v1/namespaces/default/configmaps/cm', '/api/v1/namespaces/default/configmaps/missing', '/openapi/v3/api/v1', '/nowhere']) {
        assert.equal(await header(path), 'no-cache, private', path);
      }
      const index = JSON.parse((await send(port, { method: 'GET', path: '/openapi/v3' })).body) as { paths: Record<string, { serverRelativeURL: string }> };
      assert.equal(await header(index.paths['api/v1'].serverRelativeURL), 'public, immutable');
    } finally {
      await new Promise((r) => s.close(r));
    }
  });
});
