import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { FakeClock } from '../meta/clock.js';
import { Registry } from '../registry/generic.js';
import { buildResources, defaultClusterConfig } from '../registry/kinds/index.js';
import { MemoryStorage } from '../store/memory.js';
import { withFastGet } from './fast-get.js';
import { createApiApp } from './server.js';
import { versionInfo } from './version.js';

interface Raw {
  status: number;
  headers: string[];
  body: string;
}

/** The status, the raw headers but Date, and the body: what a client can tell two answers apart by. */
function get(port: number, path: string, accept?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: accept ? { accept } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        const headers: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) if (res.rawHeaders[i] !== 'Date') headers.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
        resolve({ status: res.statusCode ?? 0, headers, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET of one object ahead of express', () => {
  const servers: Server[] = [];
  let plain: number;
  let fast: number;
  /** Requests the fast listener handed on to express. */
  let handedOn = 0;
  before(async () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const registry = new Registry({ storage, clock, resources: buildResources(defaultClusterConfig, { storage }) });
    await registry.create(registry.ref('', 'namespaces'), '', { metadata: { name: 'default' } });
    await registry.create(registry.ref('', 'configmaps'), 'default', { metadata: { name: 'cm', labels: { a: 'b' } }, data: { k: 'v' } });
    await registry.create(registry.ref('apps', 'statefulsets'), 'default', {
      metadata: { name: 'web' },
      spec: { serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    const app = createApiApp({ registry, clock, logger: pino({ level: 'silent' }), version: versionInfo(32) });
    const counted: typeof app = Object.assign((req: Parameters<typeof app>[0], res: Parameters<typeof app>[1]) => {
      handedOn++;
      return app(req, res);
    }, app);
    for (const listener of [app, withFastGet(counted, registry)]) {
      const s = createServer(listener);
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      servers.push(s);
    }
    [plain, fast] = servers.map((s) => (s.address() as AddressInfo).port);
  });
  after(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  // [path, Accept, answered without express]
  const cases: [string, string | undefined, boolean][] = [
    ['/api/v1/namespaces/default/configmaps/cm', undefined, true],
    ['/api/v1/namespaces/default/configmaps/cm', 'application/json', true],
    ['/apis/apps/v1/namespaces/default/statefulsets/web', 'application/json, */*', true],
    ['/api/v1/namespaces/default', undefined, true],
    ['/api/v1/namespaces/default/configmaps/cm', 'application/json;as=Table;v=v1;g=meta.k8s.io', false],
    ['/api/v1/namespaces/default/configmaps/cm?pretty=true', undefined, false],
    ['/api/v1/namespaces/default/configmaps/missing', undefined, false],
    ['/api/v1/namespaces/default/configmaps/%ff', undefined, false],
    ['/api/v1/namespaces/default/configmaps', undefined, false],
    ['/apis/apps/v1beta1/namespaces/default/statefulsets/web', undefined, false],
    ['/apis/apps/v1/namespaces/default/statefulsets/web/scale', undefined, false],
  ];
  for (const [path, accept, direct] of cases) {
    it(`${direct ? 'answers' : 'hands on'} ${path}${accept ? ` (${accept})` : ''}, exactly as the app answers it`, async () => {
      const before = handedOn;
      assert.deepEqual(await get(fast, path, accept), await get(plain, path, accept));
      assert.equal(handedOn - before, direct ? 0 : 1);
    });
  }
});
