import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { DeepReadonly, KubeObject } from '../server/meta/types.js';
import { httpGet } from '../server/runtime/test-fixtures.js';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { eventually, kubectlOk } from './helpers/kubectl.js';

// Three transporters (each answers with its pod's hostname) behind one ClusterIP Service. The service
// port is above 1024 so the test does not depend on running as root.
const manifests = [
  {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'spread' },
    spec: { selector: { app: 'spread' }, ports: [{ name: 'http', port: 8080, targetPort: 8090 }] },
  },
  {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'spread' },
    spec: {
      serviceName: 'spread', replicas: 3, podManagementPolicy: 'Parallel', selector: { matchLabels: { app: 'spread' } },
      template: {
        metadata: { labels: { app: 'spread' } },
        spec: { containers: [{ name: 'transporter', image: 'lgorissen/terra10-transporter', ports: [{ containerPort: 8090 }] }] },
      },
    },
  },
];

const pods = ['spread-0', 'spread-1', 'spread-2'];

/** Which pod answered: the transporter names its host ("Hello, on spread-1, ..."). */
function answeredBy(body: string): string {
  const m = /^Hello, on ([^,]+),/.exec(body);
  assert.ok(m, `not a transporter answer: ${JSON.stringify(body)}`);
  return m[1];
}

async function ask(url: string, times: number): Promise<string[]> {
  const who: string[] = [];
  // one connection per request (httpGet uses no agent): the proxy balances connections
  for (let i = 0; i < times; i++) who.push(answeredBy((await httpGet(`${url}/?name=Luc&from=DenBosch&to=Mars`)).body));
  return who;
}

function count(who: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const w of who) out[w] = (out[w] ?? 0) + 1;
  return out;
}

describe('a ClusterIP Service over simulated pods, through the service proxy', () => {
  let c: TestCluster;
  let url = '';
  const slices = (): readonly DeepReadonly<EndpointSlice & KubeObject>[] =>
    c.informers.for<EndpointSlice & KubeObject>('discovery.k8s.io', 'endpointslices').list('default')
      .filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'spread');
  /** The readiness of each pod's endpoint as the service proxy sees it (it reads the same informer). */
  const endpointReadiness = (): Record<string, boolean> => {
    const out: Record<string, boolean> = {};
    for (const s of slices()) for (const e of s.endpoints ?? []) if (e.targetRef?.name) out[e.targetRef.name] = e.conditions?.ready !== false;
    return out;
  };
  const readinessIs = (want: Record<string, boolean>) => (): true | undefined => {
    return isDeepStrictEqual(endpointReadiness(), want) ? true : undefined;
  };
  const admin = async (path: string): Promise<void> => {
    const res = await fetch(`${c.urls.api}/kubemock/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 200, await res.text());
  };

  before(async () => {
    c = await startTestCluster();
    await kubectlOk(c, ['apply', '-f', '-'], { stdin: manifests.map((m) => JSON.stringify(m)).join('\n') });
    const ip = await kubectlOk(c, ['get', 'service', 'spread', '-o', 'jsonpath={.spec.clusterIP}']);
    assert.match(ip, /^127\.\d+\.\d+\.\d+$/);
    url = `http://${ip}:8080`;
    await eventually(async () => ((await kubectlOk(c, ['get', 'sts', 'spread', '-o', 'jsonpath={.status.readyReplicas}'])) === '3' ? true : undefined), 30_000, 'three ready pods');
    await eventually(readinessIs({ 'spread-0': true, 'spread-1': true, 'spread-2': true }), 30_000, 'three ready endpoints');
  });
  after(async () => {
    await c.stop();
  });

  it('spreads requests to clusterIP:port over every ready pod, in turn', async () => {
    const who = await ask(url, 6);
    assert.deepEqual(count(who), { 'spread-0': 2, 'spread-1': 2, 'spread-2': 2 }, who.join(', '));
    // round robin: any three consecutive requests reach three different pods
    for (let i = 0; i + 3 <= who.length; i++) assert.equal(new Set(who.slice(i, i + 3)).size, 3, who.join(', '));
  });

  it('sends nothing to a pod once it turns unready', async () => {
    await admin('namespaces/default/pods/spread-1/unready');
    await eventually(async () => {
      const ready = await kubectlOk(c, ['get', 'pod', 'spread-1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
      return ready === 'False' ? true : undefined;
    }, 30_000, 'spread-1 Ready=False');
    await eventually(readinessIs({ 'spread-0': true, 'spread-1': false, 'spread-2': true }), 30_000, 'spread-1 endpoint not ready');
    const who = await ask(url, 6);
    assert.deepEqual(count(who), { 'spread-0': 3, 'spread-2': 3 }, who.join(', '));
    // the pod itself still serves: only the Service stopped sending to it
    const podIP = await kubectlOk(c, ['get', 'pod', 'spread-1', '-o', 'jsonpath={.status.podIP}']);
    assert.equal(answeredBy((await httpGet(`http://${podIP}:8090/?name=Luc`)).body), 'spread-1');
  });

  it('gets requests again when it is ready again', async () => {
    await admin('namespaces/default/pods/spread-1/ready');
    await eventually(readinessIs({ 'spread-0': true, 'spread-1': true, 'spread-2': true }), 30_000, 'spread-1 endpoint ready again');
    const who = await ask(url, 6);
    assert.deepEqual(count(who), Object.fromEntries(pods.map((p) => [p, 2])), who.join(', '));
  });

  it('pods on a rebooted node restart on their old IP and serve behind the Service again', async () => {
    const node = await kubectlOk(c, ['get', 'pod', 'spread-2', '-o', 'jsonpath={.spec.nodeName}']);
    const onNode = (await kubectlOk(c, ['get', 'pods', '-l', 'app=spread', '-o', `jsonpath={.items[?(@.spec.nodeName=="${node}")].metadata.name}`])).split(' ');
    await admin(`nodes/${node}/stop`);
    await admin(`nodes/${node}/start`);
    for (const pod of onNode) {
      const status = await eventually(async () => {
        const out = await kubectlOk(c, ['get', 'pod', pod, '-o', 'jsonpath={.status.containerStatuses[0]}']);
        const cs = JSON.parse(out) as { restartCount: number; ready: boolean; state: { running?: unknown }; lastState: { terminated?: { message?: string } } };
        return cs.restartCount >= 1 && cs.state.running && cs.ready ? cs : undefined;
      }, 30_000, `${pod} restarted and ready`);
      assert.equal(status.restartCount, 1, `${pod} restarted once, not crash looping`);
      assert.equal(status.lastState.terminated?.message, 'node rebooted');
    }
    await eventually(readinessIs({ 'spread-0': true, 'spread-1': true, 'spread-2': true }), 30_000, 'three ready endpoints after the reboot');
    const who = await ask(url, 6);
    assert.deepEqual(count(who), Object.fromEntries(pods.map((p) => [p, 2])), who.join(', '));
  });
});
