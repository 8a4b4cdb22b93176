import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { eventually, kubectl, kubectlOk } from './helpers/kubectl.js';

/** pods/proxy and services/proxy reach the simulated containers' servers, as kube-apiserver's ProxyREST reaches pods. */
describe('pods/proxy and services/proxy', () => {
  let c: TestCluster;
  const raw = (path: string) => kubectl(c, ['get', '--raw', path]);
  const pods = '/api/v1/namespaces/default/pods';
  const services = '/api/v1/namespaces/default/services';
  before(async () => {
    c = await startTestCluster();
    const netexec = (name: string) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'net' } },
      spec: { containers: [{ name: 'agnhost', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', args: ['netexec', '--http-port=8080'], ports: [{ containerPort: 8080 }] }] },
    });
    const svc = (name: string, selector: Record<string, string>) => ({
      apiVersion: 'v1', kind: 'Service', metadata: { name },
      spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    await kubectlOk(c, ['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [netexec('net-0'), netexec('net-1'), svc('net', { app: 'net' }), svc('empty', { app: 'none' })] }) });
    await eventually(async () => {
      const eps = JSON.parse(await kubectlOk(c, ['get', 'endpoints', 'net', '-o', 'json'])) as { subsets?: { addresses?: unknown[] }[] };
      return (eps.subsets?.[0]?.addresses?.length ?? 0) === 2 || undefined;
    }, 15_000, 'two ready endpoints');
  });
  after(async () => {
    await c.stop();
  });

  it('discovery lists both, with the verbs and options kinds kube lists', async () => {
    const list = JSON.parse(await kubectlOk(c, ['get', '--raw', '/api/v1'])) as { resources: { name: string; kind: string; verbs: string[] }[] };
    for (const [name, kind] of [['pods/proxy', 'PodProxyOptions'], ['services/proxy', 'ServiceProxyOptions']]) {
      const r = list.resources.find((x) => x.name === name);
      assert.equal(r?.kind, kind);
      assert.deepEqual(r?.verbs, ['create', 'delete', 'get', 'patch', 'update']);
    }
  });

  it('a pod by name (its first declared port) or name:port, with the path and query passed on', async () => {
    assert.equal((await raw(`${pods}/net-0/proxy/hostname`)).stdout, 'net-0');
    assert.equal((await raw(`${pods}/net-1:8080/proxy/echo?msg=through%20the%20proxy`)).stdout, 'through the proxy');
    assert.match((await raw(`${pods}/net-1/proxy/some/deeper/path`)).stdout, /^NOW: \d{4}-/, 'a path of many segments goes through whole');
    const refused = await raw(`${pods}/net-0:81/proxy/`);
    assert.match(refused.stderr, /Error from server \(ServiceUnavailable\): error trying to reach service: dial tcp 127\.[\d.]+:81: connect: connection refused/);
    assert.match((await raw(`${pods}/nope/proxy/`)).stderr, /pods "nope" not found/);
  });

  it('the proxy root without its slash is a 301 to it, as the upgrade-aware handler answers', async () => {
    const res = await fetch(`${c.urls.api}${pods}/net-0/proxy?a=1`, { redirect: 'manual' });
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), `${pods}/net-0/proxy/?a=1`);
  });

  it('a service by port number or port name reaches a ready endpoint; what cannot be reached is a 503 in kube\'s words', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20 && seen.size < 2; i++) seen.add((await raw(`${services}/net:80/proxy/hostname`)).stdout);
    assert.deepEqual([...seen].sort(), ['net-0', 'net-1'], 'a random endpoint per request');
    assert.match((await raw(`${services}/http:net:http/proxy/hostname`)).stdout, /^net-[01]$/);
    assert.match((await raw(`${services}/net:9999/proxy/`)).stderr, /\(ServiceUnavailable\): no service port 9999 found for service "net"/);
    assert.match((await raw(`${services}/empty:80/proxy/`)).stderr, /\(ServiceUnavailable\): no endpoints available for service "empty"/);
    assert.match((await raw(`${services}/https:net:80/proxy/`)).stderr, /\(ServiceUnavailable\): error trying to reach service: kubemock's simulated containers serve plain HTTP/);
    assert.match((await raw(`${services}/a:b:c:d/proxy/`)).stderr, /\(BadRequest\): invalid service request "a:b:c:d"/);
  });

  it('through kubectl proxy, as a browser would use it; a POST body reaches the container', async () => {
    const proxy: ChildProcess = spawn('kubectl', [`--kubeconfig=${c.kubeconfig}`, `--cache-dir=${c.cacheDir}`, 'proxy', '--port=0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      proxy.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      const addr = await eventually(() => /Starting to serve on (\S+)/.exec(out)?.[1], 15_000, 'kubectl proxy');
      const res = await fetch(`http://${addr}${services}/net:http/proxy/shell?cmd=${encodeURIComponent('cat')}`, { method: 'POST', body: 'ignored' });
      assert.equal(res.status, 200);
      assert.equal(await (await fetch(`http://${addr}${pods}/net-0/proxy/hostname`)).text(), 'net-0');
    } finally {
      proxy.kill();
    }
  });
});
