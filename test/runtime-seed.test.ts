import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Container } from 'kubernetes-types/core/v1.js';
import { handleFor, httpGet, testPod, testRuntime, testSubnet, type TestRuntime } from '../server/runtime/test-fixtures.js';

// The seed's StatefulSet template, ports swapped as in the tutorial.
const containers: Container[] = [
  { name: 'terra10-transporter', image: 'lgorissen/terra10-transporter:podname', volumeMounts: [{ name: 'transportlog', mountPath: '/tmp' }], ports: [{ containerPort: 8092, protocol: 'TCP' }] },
  { name: 'terra10-monitor', image: 'lgorissen/terra10-monitor', volumeMounts: [{ name: 'transportlog', mountPath: '/var/log', readOnly: true }], ports: [{ containerPort: 8090, protocol: 'TCP' }] },
];

describe('the seed: terra10 transporter and monitor on real sockets', () => {
  let rt: TestRuntime;
  let pvDir: string;
  const net = testSubnet();
  const ip0 = `${net}.5`;
  const ip1 = `${net}.6`;
  const pvs: string[] = [];

  const startPod = async (name: string, ip: string, pv: string) => {
    const pod = testPod(name, containers, { hostname: name, subdomain: 'terra10-hs', volumes: [{ name: 'transportlog', persistentVolumeClaim: { claimName: `transportlog-${name}` } }] });
    for (const c of containers) await rt.runtime.start(handleFor(pod, c.name, ip, { transportlog: pv }));
    return pod;
  };

  before(async () => {
    rt = testRuntime();
    pvDir = mkdtempSync(join(tmpdir(), 'kubemock-pv-'));
    pvs.push(join(pvDir, 'pvc-0'), join(pvDir, 'pvc-1'));
    await startPod('terra10-0', ip0, pvs[0]);
    await startPod('terra10-1', ip1, pvs[1]);
  });
  after(async () => {
    await rt.cleanup();
    rmSync(pvDir, { recursive: true, force: true });
  });

  it('answers transport requests word for word and the monitor shows the pod-named log lines', async () => {
    const luc = await httpGet(`http://${ip0}:8090?name=Luc&from=DenBosch&to=Mars`);
    assert.equal(luc.body, 'Hello, on terra10-0, Luc will be transported from DenBosch to Mars using the Terra10 transporter service\n');
    assert.equal((await httpGet(`http://${ip0}:8092`)).body, 'transporter terra10-0 has transporteed Luc is transported from DenBosch to Mars\n');
    assert.equal((await httpGet(`http://${ip0}:8090?name=Elvis&from=Maaskantje&to=Mars`)).body, 'Hello, on terra10-0, Elvis will be transported from Maaskantje to Mars using the Terra10 transporter service\n');
    assert.equal((await httpGet(`http://${ip0}:8090?name=AlCapone&from=NewYork&to=Mars`)).body, 'Hello, on terra10-0, AlCapone will be transported from NewYork to Mars using the Terra10 transporter service\n');
    const three = 'transporter terra10-0 has transporteed Luc is transported from DenBosch to Mars\ntransporter terra10-0 has transporteed Elvis is transported from Maaskantje to Mars\ntransporter terra10-0 has transporteed AlCapone is transported from NewYork to Mars\n';
    assert.equal((await httpGet(`http://${ip0}:8092`)).body, three);
    // terra10-1 has its own storage: empty until used
    assert.equal((await httpGet(`http://${ip1}:8092`)).body, '');
    assert.equal((await httpGet(`http://${ip1}:8090?name=Napoleon&from=Elba&to=Mars`)).body, 'Hello, on terra10-1, Napoleon will be transported from Elba to Mars using the Terra10 transporter service\n');
    assert.equal((await httpGet(`http://${ip1}:8092`)).body, 'transporter terra10-1 has transporteed Napoleon is transported from Elba to Mars\n');
    assert.equal((await httpGet(`http://${ip0}:8092`)).body, three);
    // the volume is the real PV directory
    assert.deepEqual(readdirSync(pvs[1]), ['transporter.log']);
  });

  it('a pod that comes back on the same volume sees the old file (Napoleon survives)', async () => {
    const first = rt.instance('default', 'terra10-1', 'terra10-transporter')!;
    const monitor = rt.instance('default', 'terra10-1', 'terra10-monitor')!;
    await rt.runtime.kill(first.handle);
    await rt.runtime.kill(monitor.handle);
    await assert.rejects(httpGet(`http://${ip1}:8092`));
    const ip = `${net}.7`;
    await startPod('terra10-1', ip, pvs[1]);
    assert.equal((await httpGet(`http://${ip}:8092`)).body, 'transporter terra10-1 has transporteed Napoleon is transported from Elba to Mars\n');
  });

  it('hostname and hostname -f through exec of /bin/sh -c', async () => {
    const run = async (pod: string, script: string) => {
      const chunks: Buffer[] = [];
      const { Writable } = await import('node:stream');
      const stdout = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) });
      const code = await rt.streams.exec({ namespace: 'default', pod, container: 'terra10-transporter', command: ['/bin/sh', '-c', script], tty: false, stdout });
      return { code, out: Buffer.concat(chunks).toString() };
    };
    assert.deepEqual(await run('terra10-0', 'hostname'), { code: 0, out: 'terra10-0\n' });
    assert.deepEqual(await run('terra10-0', 'hostname -f'), { code: 0, out: 'terra10-0.terra10-hs.default.svc.cluster.local\n' });
    assert.deepEqual(await run('terra10-1', 'hostname -f'), { code: 0, out: 'terra10-1.terra10-hs.default.svc.cluster.local\n' });
  });
});
