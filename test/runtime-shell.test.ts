import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../server/meta/clock.js';
import { startDnsServer, type DnsServer } from '../server/dns/server.js';
import { WatchedDnsView } from '../server/dns/watched-view.js';
import { added, endpointSliceObject, namespaceObject, serviceObject, terra10Endpoints, terra10Ports } from '../server/dns/seed-fixtures.js';
import { handleFor, testPod, testRuntime, testSubnet, type TestRuntime } from '../server/runtime/test-fixtures.js';

function collector(): { w: Writable; text(): string } {
  const chunks: Buffer[] = [];
  return { w: new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }), text: () => Buffer.concat(chunks).toString() };
}

describe('the simulated shell through exec', () => {
  let rt: TestRuntime;
  let dns: DnsServer;
  let shared: string;
  const net = testSubnet();
  const ip = `${net}.20`;
  const webIP = `${net}.21`;

  before(async () => {
    const view = new WatchedDnsView({ clock: new FakeClock() });
    view.apply('namespaces', added(namespaceObject('default')));
    view.apply('namespaces', added(namespaceObject('kube-system')));
    view.apply('services', added(serviceObject('kube-system', 'kube-dns', { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] })));
    view.apply('services', added(serviceObject('default', 'terra10-hs', { clusterIP: 'None', ports: terra10Ports })));
    view.apply('endpointslices', added(endpointSliceObject('default', 'terra10-hs', terra10Endpoints(['172.17.0.5', '172.17.0.6']), terra10Ports)));
    for (const r of ['services', 'endpointslices', 'namespaces', 'pods'] as const) view.markSynced(r);
    dns = await startDnsServer({ host: '127.0.0.1', port: 0, view });
    rt = testRuntime({ dnsServer: { host: '127.0.0.1', port: dns.udpPort, address: '10.96.0.10' } });
    shared = mkdtempSync(join(tmpdir(), 'kubemock-shared-'));
    writeFileSync(join(shared, 'note'), 'from the volume\n');
    const pod = testPod('busybox-c8d74cd49-6wh2s', [
      { name: 'busybox', image: 'busybox:1.28.4', command: ['sleep', '3600'], env: [{ name: 'GREETING', value: 'hi' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }, { name: 'scratch', mountPath: '/scratch' }] },
    ], { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }, { name: 'scratch', emptyDir: {} }] });
    await rt.runtime.start(handleFor(pod, 'busybox', ip, { data: shared }));
    const web = testPod('web-0', [{ name: 'nginx', image: 'nginx:1.27' }]);
    await rt.runtime.start(handleFor(web, 'nginx', webIP));
  });
  after(async () => {
    await rt.cleanup();
    await dns.close();
    rmSync(shared, { recursive: true, force: true });
  });

  const sh = async (script: string, command = ['sh', '-c', script]) => {
    const out = collector();
    const err = collector();
    const code = await rt.streams.exec({ namespace: 'default', pod: 'busybox-c8d74cd49-6wh2s', container: 'busybox', command, tty: false, stdout: out.w, stderr: err.w });
    return { code, out: out.text(), err: err.text() };
  };

  it('hostname, env with fieldRef, variables, $(...), pipes and && / ||', async () => {
    assert.deepEqual(await sh('hostname'), { code: 0, out: 'busybox-c8d74cd49-6wh2s\n', err: '' });
    assert.equal((await sh('echo "$GREETING from $POD"')).out, 'hi from busybox-c8d74cd49-6wh2s\n');
    assert.equal((await sh('x=$(hostname | cut -c1-3 2>/dev/null || echo nocut); echo "[$x]"')).out, '[nocut]\n');
    assert.equal((await sh('echo one two three | wc -w')).out, '3\n');
    assert.equal((await sh('false && echo no || echo yes; true; echo $?')).out, 'yes\n0\n');
    assert.equal((await sh('printf "%s=%03d\\n" a 7')).out, 'a=007\n');
  });

  it('if/then/else, test, loops and arithmetic', async () => {
    assert.equal((await sh('if [ -f /data/note ]; then echo file; else echo none; fi')).out, 'file\n');
    assert.equal((await sh('if test -d /nope; then echo dir; elif [ "a" = "a" ]; then echo eq; fi')).out, 'eq\n');
    assert.equal((await sh('i=0; while [ $i -lt 3 ]; do i=$((i+1)); echo -n $i; done; echo')).out, '123\n');
    assert.equal((await sh('for f in a b c; do echo $f; done | tail -n 1')).out, 'c\n');
  });

  it('redirections over the real volume directories; a readOnly mount refuses writes', async () => {
    assert.equal((await sh('cat /data/note')).out, 'from the volume\n');
    const denied = await sh('echo x > /data/new');
    assert.equal(denied.code, 1);
    assert.equal(denied.err, "sh: can't create /data/new: Read-only file system\n");
    assert.match((await sh('touch /data/t')).err, /Read-only file system/);
    assert.match((await sh('rm /data/note')).err, /Read-only file system/);
    assert.equal(readFileSync(join(shared, 'note'), 'utf8'), 'from the volume\n');
    assert.equal((await sh('echo a > /scratch/f; echo b >> /scratch/f; cat < /scratch/f; mkdir -p /opt/x && cp /scratch/f /opt/x/g && mv /opt/x/g /opt/x/h && ls /opt/x')).out, 'a\nb\nh\n');
    assert.equal((await sh('ln -s /scratch/f /tmp/link && cat /tmp/link && rm /tmp/link && ls /tmp')).out, 'a\nb\n');
    assert.equal((await sh('dd if=/scratch/f of=/scratch/g bs=1 count=2 2>/dev/null; cat /scratch/g')).out, 'a\n');
    assert.deepEqual(await sh('nosuch'), { code: 127, out: '', err: 'sh: nosuch: not found\n' });
    assert.equal((await sh('exit 3')).code, 3);
  });

  it('exec without a shell runs argv; an unknown program is an exec error', async () => {
    assert.equal((await sh('', ['cat', '/data/note'])).out, 'from the volume\n');
    await assert.rejects(sh('', ['/app/server']), /executable file not found in \$PATH/);
  });

  it('curl and wget reach another pod, and localhost is the pod itself', async () => {
    const page = await sh(`curl -s http://${webIP}/`);
    assert.equal(page.code, 0);
    assert.match(page.out, /<title>Welcome to nginx!<\/title>/);
    assert.match((await sh(`wget -qO- http://${webIP}/`)).out, /Welcome to nginx!/);
    const refused = await sh('curl http://localhost:8080/');
    assert.equal(refused.code, 7);
    assert.equal(refused.err, 'curl: (7) Failed to connect to localhost port 8080: Connection refused\n');
  });

  it('nslookup prints what busybox 1.28 prints, from kubemock DNS', async () => {
    const one = await sh('nslookup terra10-0.terra10-hs.default.svc.cluster.local');
    assert.equal(one.out, [
      'Server:    10.96.0.10',
      'Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local',
      '',
      'Name:      terra10-0.terra10-hs.default.svc.cluster.local',
      'Address 1: 172.17.0.5 terra10-0.terra10-hs.default.svc.cluster.local',
      '',
    ].join('\n'));
    const both = await sh('nslookup terra10-hs.default.svc.cluster.local');
    assert.equal(both.out, [
      'Server:    10.96.0.10',
      'Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local',
      '',
      'Name:      terra10-hs.default.svc.cluster.local',
      'Address 1: 172.17.0.5 terra10-0.terra10-hs.default.svc.cluster.local',
      'Address 2: 172.17.0.6 terra10-1.terra10-hs.default.svc.cluster.local',
      '',
    ].join('\n'));
    const missing = await sh('nslookup nothing-here');
    assert.equal(missing.code, 1);
    assert.equal(missing.err, "nslookup: can't resolve 'nothing-here'\n");
  });

  /** A shell reading what the test writes to stdin, as kubectl exec -i (and -t) attaches one. */
  const interactive = (command: string[], tty: boolean) => {
    const stdin = new PassThrough();
    const out = collector();
    const done = rt.streams.exec({ namespace: 'default', pod: 'busybox-c8d74cd49-6wh2s', container: 'busybox', command, tty, stdin, stdout: out.w });
    return { stdin, out, done };
  };

  it('an interactive shell on a TTY echoes, prompts and runs lines', async () => {
    const { stdin, out, done } = interactive(['/bin/sh'], true);
    stdin.write('hostname\r');
    stdin.write('exit\r');
    assert.equal(await done, 0);
    assert.equal(out.text(), '/ # hostname\r\nbusybox-c8d74cd49-6wh2s\r\n/ # exit\r\n');
  });

  it('a shell reading piped stdin stops at an `exit` anywhere in a line, with its code, and not at one in a subshell', async () => {
    const { stdin, out, done } = interactive(['sh'], false);
    stdin.write('(exit 4); echo sub $?\n');
    stdin.write('echo one; exit 3; echo never\n');
    stdin.write('echo after\n');
    assert.equal(await done, 3);
    assert.equal(out.text(), 'sub 4\none\n');
  });
});
