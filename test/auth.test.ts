import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startKubemock, type RunningKubemock } from '../server/cli/cluster.js';
import { writeKubeconfig } from '../server/cli/kubeconfig.js';
import { kubectl } from './helpers/kubectl.js';

const token = 'kubemock-test-token-0123456789';

interface Answer {
  status: number;
  body: string;
}

/** An HTTPS request that trusts only the server's own CA (no insecure skipping). */
function get(km: RunningKubemock, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<Answer> {
  const ca = Buffer.from(km.credentials.caData!, 'base64').toString();
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, km.urls.api), { method, headers, ca }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('--token and --tls-self-signed', { timeout: 120_000 }, () => {
  let km: RunningKubemock;
  let dir: string;
  let kubeconfig: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubemock-auth-'));
    km = await startKubemock({
      port: 0, host: '127.0.0.1', logLevel: 'silent', grpcPort: null, dns: { port: null }, controllers: { enabled: false },
      token, tls: { selfSigned: true },
    });
    kubeconfig = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfig, { server: km.urls.api, ...km.credentials });
  });
  after(async () => {
    await km?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('serves HTTPS and announces the CA and token for kubeconfigs', () => {
    assert.match(km.urls.api, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(km.credentials.caData);
    assert.equal(km.credentials.token, token);
  });

  test('the right token reaches the API', async () => {
    const res = await get(km, '/api/v1/namespaces', bearer(token));
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as { kind: string }).kind, 'NamespaceList');
  });

  test('a wrong token is 401 Unauthorized on every path, health checks included', async () => {
    for (const path of ['/api/v1/namespaces', '/healthz', '/version', '/apis']) {
      const res = await get(km, path, bearer('wrong'));
      assert.equal(res.status, 401, path);
      assert.deepEqual(JSON.parse(res.body), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    }
  });

  test('without a token only the public paths answer; the rest is 403 for system:anonymous, as RBAC words it', async () => {
    for (const path of ['/healthz', '/livez', '/readyz', '/version']) assert.equal((await get(km, path)).status, 200, path);
    const cases: [string, string, string][] = [
      ['GET', '/api', 'forbidden: User "system:anonymous" cannot get path "/api"'],
      ['GET', '/api/v1/namespaces/default/pods', 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"'],
      ['GET', '/api/v1/namespaces/default/pods/p1/log', 'pods "p1" is forbidden: User "system:anonymous" cannot get resource "pods/log" in API group "" in the namespace "default"'],
      ['GET', '/apis/apps/v1/statefulsets?watch=true', 'statefulsets is forbidden: User "system:anonymous" cannot watch resource "statefulsets" in API group "apps" at the cluster scope'],
      ['DELETE', '/api/v1/namespaces/kube-system', 'namespaces "kube-system" is forbidden: User "system:anonymous" cannot delete resource "namespaces" in API group "" in the namespace "kube-system"'],
      ['POST', '/api/v1/nodes', 'nodes is forbidden: User "system:anonymous" cannot create resource "nodes" in API group "" at the cluster scope'],
    ];
    for (const [method, path, message] of cases) {
      const res = await get(km, path, {}, method);
      assert.equal(res.status, 403, `${method} ${path}`);
      const status = JSON.parse(res.body) as { reason: string; message: string; code: number };
      assert.equal(status.reason, 'Forbidden');
      assert.equal(status.message, message);
    }
  });

  test('upgrades (exec, port-forward) are checked too', async () => {
    const res = await get(km, '/api/v1/namespaces/default/pods/p/exec?command=sh', { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' });
    assert.equal(res.status, 403);
  });

  test('@kubernetes/client-node verifies the certificate with the kubeconfig CA and sends the token', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const list = await kc.makeApiClient(CoreV1Api).listNamespace();
    assert.ok(list.items.some((n) => n.metadata?.name === 'default'));
  });

  test('kubectl works with the written kubeconfig, and says Unauthorized with a wrong token', async () => {
    const cacheDir = join(dir, 'cache');
    const ok = await kubectl({ kubeconfig, cacheDir }, ['get', 'namespace', 'default', '-o', 'name']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), 'namespace/default');
    // (Without any credentials kubectl would prompt for a username on https, as it does with real clusters.)
    const wrong = join(dir, 'wrong-token');
    await writeKubeconfig(wrong, { server: km.urls.api, caData: km.credentials.caData, token: 'not-the-token' });
    const denied = await kubectl({ kubeconfig: wrong, cacheDir: join(dir, 'cache2') }, ['get', 'pods']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /You must be logged in to the server/);
  });

  test('kubectl auth whoami names the token\'s user, a cluster admin; auth can-i says yes', async () => {
    const cacheDir = join(dir, 'cache3');
    const who = await kubectl({ kubeconfig, cacheDir }, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo}']);
    assert.equal(who.code, 0, who.stderr);
    assert.deepEqual(JSON.parse(who.stdout), { username: 'kubemock', groups: ['system:masters', 'system:authenticated'] });
    const can = await kubectl({ kubeconfig, cacheDir }, ['auth', 'can-i', 'delete', 'nodes']);
    assert.equal(can.stdout.trim(), 'yes');
    // a service account token kubemock issued authenticates as the account
    await get(km, '/api/v1/namespaces/default/serviceaccounts', { ...bearer(token), 'content-type': 'application/json' }, 'POST', '{"metadata":{"name":"robot"}}');
    const issued = (await kubectl({ kubeconfig, cacheDir }, ['create', 'token', 'robot'])).stdout.trim();
    const robot = join(dir, 'robot');
    await writeKubeconfig(robot, { server: km.urls.api, caData: km.credentials.caData, token: issued });
    const asRobot = await kubectl({ kubeconfig: robot, cacheDir: join(dir, 'cache4') }, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    assert.equal(asRobot.stdout, 'system:serviceaccount:default:robot', asRobot.stderr);
    const tampered = `${issued.slice(0, -4)}AAAA`;
    assert.equal((await get(km, '/api/v1/namespaces', bearer(tampered))).status, 401);
    // anonymous may not ask: RBAC binds the review roles to system:authenticated only
    const anonymous = await get(km, '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {}, 'POST');
    assert.equal(anonymous.status, 403);
  });
});
