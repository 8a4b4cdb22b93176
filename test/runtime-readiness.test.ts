import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Container } from 'kubernetes-types/core/v1.js';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { recordPodOrder } from './helpers/pod-order.js';
import { eventually, kubectl, kubectlOk, podNames, readyReplicas } from './helpers/kubectl.js';

/**
 * Readiness probes run by the kubelet against simulated containers (exec through the simulated shell,
 * httpGet over the pod IP) decide when an OrderedReady StatefulSet may create its next ordinal.
 * The kubelet probes on the cluster's clock, here the real one, so periodSeconds: 1 keeps this quick.
 */

function set(name: string, replicas: number, container: Container): string {
  return JSON.stringify({
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name },
    spec: {
      serviceName: name, replicas, podManagementPolicy: 'OrderedReady', selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 0, containers: [container] } },
    },
  });
}

async function podState(c: TestCluster, pod: string): Promise<{ phase: string; ready: string; containerReady: string }> {
  const out = await kubectlOk(c, ['get', 'pod', pod, '-o', 'jsonpath={.status.phase} {.status.conditions[?(@.type=="Ready")].status} {.status.containerStatuses[0].ready}']);
  const [phase, ready, containerReady] = out.split(' ');
  return { phase, ready, containerReady };
}

describe('readiness probes hold an OrderedReady StatefulSet at the unready ordinal', () => {
  let c: TestCluster;
  /** "added X" / "ready X" / "unready X" in the order the API's own watch saw them. */
  let events: string[] = [];
  before(async () => {
    c = await startTestCluster();
    events = recordPodOrder(c, { unready: true });
  });
  after(async () => {
    await c.stop();
  });

  /**
   * Waits until `pod` runs and its probe has failed at least twice (probed() says how often it ran),
   * then checks that the set stopped there: earlier ordinals only, this one Running but not Ready.
   */
  const heldAt = async (app: string, ordinal: number, probed: (pod: string) => Promise<number>): Promise<void> => {
    const pod = `${app}-${ordinal}`;
    await eventually(async () => ((await podState(c, pod)).phase === 'Running' ? true : undefined), 30_000, `${pod} Running`);
    await eventually(async () => ((await probed(pod)) >= 2 ? true : undefined), 30_000, `${pod} probed twice`);
    await c.controllersIdle();
    assert.deepEqual(await podState(c, pod), { phase: 'Running', ready: 'False', containerReady: 'false' }, `${pod} runs but is not ready`);
    assert.deepEqual(await podNames(c, app), Array.from({ length: ordinal + 1 }, (_, i) => `${app}-${i}`), `no pod after ${pod} while it is unready`);
    assert.equal(await readyReplicas(c, app), ordinal);
  };

  it('exec probe (cat /tmp/ready): each ordinal waits for the one before to pass', async () => {
    await kubectlOk(c, ['apply', '-f', '-'], {
      stdin: set('gate', 3, {
        name: 'c', image: 'busybox', command: ['sleep', '3600'],
        // each run of the probe leaves a line, so the test knows it ran (and failed) without sleeping
        readinessProbe: { exec: { command: ['sh', '-c', 'echo probe >> /tmp/probes; cat /tmp/ready'] }, periodSeconds: 1 },
      }),
    });
    const probed = async (pod: string): Promise<number> => {
      const r = await kubectl(c, ['exec', pod, '--', 'cat', '/tmp/probes']);
      return r.code === 0 ? r.stdout.split('\n').filter(Boolean).length : 0;
    };
    for (let ordinal = 0; ordinal < 3; ordinal++) {
      await heldAt('gate', ordinal, probed);
      await kubectlOk(c, ['exec', `gate-${ordinal}`, '--', 'touch', '/tmp/ready']);
    }
    await eventually(async () => ((await readyReplicas(c, 'gate')) === 3 ? true : undefined), 30_000, 'gate readyReplicas 3');
    const mine = events.filter((e) => e.includes('gate-'));
    assert.deepEqual(mine, ['added gate-0', 'ready gate-0', 'added gate-1', 'ready gate-1', 'added gate-2', 'ready gate-2']);
  });

  it('a probe that fails again takes a ready pod out of readyReplicas', async () => {
    await kubectlOk(c, ['exec', 'gate-1', '--', 'rm', '/tmp/ready']);
    await eventually(async () => ((await podState(c, 'gate-1')).ready === 'False' ? true : undefined), 30_000, 'gate-1 unready');
    await eventually(async () => ((await readyReplicas(c, 'gate')) === 2 ? true : undefined), 30_000, 'gate readyReplicas 2');
    assert.deepEqual(await podNames(c, 'gate'), ['gate-0', 'gate-1', 'gate-2'], 'an unready pod is not replaced');
    await kubectlOk(c, ['exec', 'gate-1', '--', 'touch', '/tmp/ready']);
    await eventually(async () => ((await readyReplicas(c, 'gate')) === 3 ? true : undefined), 30_000, 'gate readyReplicas 3 again');
  });

  it('httpGet probe (nginx /healthz): the set waits until the page exists', async () => {
    await kubectlOk(c, ['apply', '-f', '-'], {
      stdin: set('web', 2, {
        name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }],
        readinessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 1 },
      }),
    });
    // nginx logs every request: the probes show up as 404s
    const probed = async (pod: string): Promise<number> => {
      const r = await kubectl(c, ['logs', pod]);
      return r.code === 0 ? r.stdout.split('\n').filter((l) => l.includes('"GET /healthz HTTP/1.1" 404')).length : 0;
    };
    await heldAt('web', 0, probed);
    await kubectlOk(c, ['exec', 'web-0', '--', 'sh', '-c', 'echo ok > /usr/share/nginx/html/healthz']);
    await heldAt('web', 1, probed);
    await kubectlOk(c, ['exec', 'web-1', '--', 'sh', '-c', 'echo ok > /usr/share/nginx/html/healthz']);
    await eventually(async () => ((await readyReplicas(c, 'web')) === 2 ? true : undefined), 30_000, 'web readyReplicas 2');
    assert.match(await kubectlOk(c, ['logs', 'web-0']), /"GET \/healthz HTTP\/1\.1" 200/);
  });
});
