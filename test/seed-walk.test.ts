import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedDir } from './helpers/seed.js';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { eventually, kubectl, kubectlOk, tableRows } from './helpers/kubectl.js';

const seed = seedDir;

/** What `curl URL` prints: the body, or the connection error. */
function curl(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('error', reject);
    req.end();
  });
}

const transported = (pod: string, name: string, from: string): string =>
  `Hello, on ${pod}, ${name} will be transported from ${from} to Mars using the Terra10 transporter service\n`;
const logLine = (pod: string, name: string, from: string): string => `transporter ${pod} has transporteed ${name} is transported from ${from} to Mars\n`;

/**
 * `kubectl exec -it POD -- /bin/sh` on a real pseudo-terminal (util-linux `script`), typing each line
 * once the shell has answered the previous one, as a person at the keyboard would.
 */
async function interactiveShell(c: TestCluster, pod: string, lines: string[]): Promise<string> {
  const cmd = `kubectl --kubeconfig=${c.kubeconfig} --cache-dir=${c.cacheDir} exec -it ${pod} -- /bin/sh`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, HOME: c.cacheDir, TERM: 'dumb' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  try {
    let prompts = 1;
    await eventually(() => out.split('/ # ').length > prompts || undefined, 30_000, 'the first prompt');
    for (const line of lines) {
      child.stdin.write(`${line}\r`);
      prompts++;
      await eventually(() => out.split('/ # ').length > prompts || undefined, 30_000, `the prompt after ${line}`);
    }
    child.stdin.write('exit\r');
    assert.equal(await closed, 0, out);
  } finally {
    child.kill('SIGKILL');
  }
  return out.replace(/\r\n/g, '\n');
}

/**
 * Issue 5, item 1: the seed chapter walked in the order it is written, with kubectl and HTTP, every
 * output it shows checked (addresses read from the API, never hard-coded).
 */
describe('the seed chapter, end to end', () => {
  let c: TestCluster;
  let ip0 = '';
  let ip1 = '';
  const podIP = async (name: string): Promise<string> => kubectlOk(c, ['get', 'pod', name, '-o', 'jsonpath={.status.podIP}']);
  /** `kubectl edit statefulset terra10`, the editor changing replicas as the reader does. */
  const editReplicas = async (from: number, to: number): Promise<void> => {
    const editor = join(c.dir, `edit-${to}.mjs`);
    writeFileSync(editor, `import { readFileSync, writeFileSync } from 'node:fs';
const f = process.argv[2];
writeFileSync(f, readFileSync(f, 'utf8').replace(/^(  replicas:) ${from}$/m, '$1 ${to}'));\n`);
    assert.equal(await kubectlOk(c, ['edit', 'statefulset', 'terra10'], { env: { KUBE_EDITOR: `node ${editor}` } }), 'statefulset.apps/terra10 edited\n');
  };
  const podRows = async (): Promise<string[][]> => tableRows(await kubectlOk(c, ['get', 'pod'])).slice(1).map((r) => r.slice(0, 4));

  before(async () => {
    c = await startTestCluster({ controllers: { podStartDelayMs: 20, podReadyDelayMs: 20, podStopDelayMs: 100 } });
  });
  after(async () => {
    await c.stop();
  });

  it('35.5: the headless service, the StatefulSet, its pods, claims and volumes', async () => {
    assert.equal(await kubectlOk(c, ['create', '-f', join(seed, 'terra10-service-headless.yaml')]), 'service/terra10-hs created\n');
    const svc = tableRows(await kubectlOk(c, ['get', 'service', 'terra10-hs']));
    assert.deepEqual(svc[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    assert.deepEqual(svc[1].slice(0, 5), ['terra10-hs', 'ClusterIP', 'None', '<none>', '8090/TCP,8092/TCP']);
    assert.equal(await kubectlOk(c, ['create', '-f', join(seed, 'terra10-statefulset.yaml')]), 'statefulset.apps/terra10 created\n');
    // the README's wait; rollout status refuses apps/v1beta1's default OnDelete, as kubectl does on a real cluster
    assert.equal(await kubectlOk(c, ['wait', '--for=jsonpath={.status.readyReplicas}=2', 'statefulset/terra10', '--timeout=30s']), 'statefulset.apps/terra10 condition met\n');
    const rollout = await kubectl(c, ['rollout', 'status', 'statefulset', 'terra10']);
    assert.equal(rollout.stderr.trim(), 'error: rollout status is only available for RollingUpdate strategy type');
    await eventually(async () => tableRows(await kubectlOk(c, ['get', 'statefulset']))[1]?.[1] === '2/2' || undefined, 30_000, 'terra10 2/2');
    assert.deepEqual(await podRows(), [['terra10-0', '2/2', 'Running', '0'], ['terra10-1', '2/2', 'Running', '0']]);
    // kubectl describe's From column names the component, as kube-controller-manager's recorder does
    const created = (await kubectlOk(c, ['describe', 'statefulset', 'terra10'])).split('\n').filter((l) => l.includes('SuccessfulCreate'));
    assert.ok(created.length > 0 && created.every((l) => /\sstatefulset-controller\s/.test(l)), created.join('\n'));
    const pvc = tableRows(await kubectlOk(c, ['get', 'pvc'])).slice(1);
    const pv = tableRows(await kubectlOk(c, ['get', 'pv'])).slice(1);
    for (const i of [0, 1]) {
      const volume = pvc[i][2];
      assert.deepEqual(pvc[i].slice(0, 6), [`transportlog-terra10-${i}`, 'Bound', volume, '1Mi', 'RWO', 'standard']);
      assert.match(volume, /^pvc-[0-9a-f-]{36}$/);
      assert.deepEqual(pv.find((r) => r[0] === volume)?.slice(0, 7), [volume, '1Mi', 'RWO', 'Delete', 'Bound', `default/transportlog-terra10-${i}`, 'standard']);
    }
  });

  it('35.6: terra10-0 transports Luc, Elvis and AlCapone and its monitor shows their lines', async () => {
    ip0 = await podIP('terra10-0');
    const described = (await kubectlOk(c, ['describe', 'pod', 'terra10-0'])).split('\n').filter((l) => l.startsWith('IP'));
    assert.match(described[0], new RegExp(`^IP:\\s+${ip0.replace(/\./g, '\\.')}$`));
    assert.equal(await curl(`http://${ip0}:8090?name=Luc&from=DenBosch&to=Mars`), transported('terra10-0', 'Luc', 'DenBosch'));
    assert.equal(await curl(`http://${ip0}:8092`), logLine('terra10-0', 'Luc', 'DenBosch'));
    assert.equal(await curl(`http://${ip0}:8090?name=Elvis&from=Maaskantje&to=Mars`), transported('terra10-0', 'Elvis', 'Maaskantje'));
    assert.equal(await curl(`http://${ip0}:8090?name=AlCapone&from=NewYork&to=Mars`), transported('terra10-0', 'AlCapone', 'NewYork'));
    assert.equal(await curl(`http://${ip0}:8092`), logLine('terra10-0', 'Luc', 'DenBosch') + logLine('terra10-0', 'Elvis', 'Maaskantje') + logLine('terra10-0', 'AlCapone', 'NewYork'));
  });

  it('35.6: terra10-1 has storage of its own: empty, then only Napoleon', async () => {
    ip1 = await podIP('terra10-1');
    assert.notEqual(ip1, ip0);
    assert.equal(await curl(`http://${ip1}:8092`), '');
    assert.equal(await curl(`http://${ip1}:8090?name=Napoleon&from=Elba&to=Mars`), transported('terra10-1', 'Napoleon', 'Elba'));
    assert.equal(await curl(`http://${ip1}:8092`), logLine('terra10-1', 'Napoleon', 'Elba'));
    assert.equal(await curl(`http://${ip0}:8092`), logLine('terra10-0', 'Luc', 'DenBosch') + logLine('terra10-0', 'Elvis', 'Maaskantje') + logLine('terra10-0', 'AlCapone', 'NewYork'));
  });

  it('35.6: scaled to 1 with kubectl edit, terra10-1 goes and stops answering', async () => {
    await editReplicas(2, 1);
    await eventually(async () => ((await podRows()).length === 1 ? true : undefined), 30_000, 'terra10-1 gone');
    assert.deepEqual(await podRows(), [['terra10-0', '2/2', 'Running', '0']]);
    assert.equal((await curl(`http://${ip0}:8092`)).split('\n').length, 4);
    await assert.rejects(curl(`http://${ip1}:8092`), /ECONNREFUSED/);
  });

  it('35.6: scaled back to 2, terra10-1 returns on its old claim: Napoleon is still there', async () => {
    await editReplicas(1, 2);
    await eventually(async () => {
      const rows = await podRows();
      return rows.length === 2 && rows[1][1] === '2/2' && rows[1][2] === 'Running' ? true : undefined;
    }, 30_000, 'terra10-1 back');
    assert.deepEqual(await podRows(), [['terra10-0', '2/2', 'Running', '0'], ['terra10-1', '2/2', 'Running', '0']]);
    ip1 = await podIP('terra10-1');
    assert.equal(await curl(`http://${ip1}:8092`), logLine('terra10-1', 'Napoleon', 'Elba'));
  });

  it('35.7: hostname and hostname -f in both pods', async () => {
    for (const pod of ['terra10-0', 'terra10-1']) {
      assert.equal(await kubectlOk(c, ['exec', pod, '-c', 'terra10-transporter', '--', '/bin/sh', '-c', 'hostname']), `${pod}\n`);
      assert.equal(await kubectlOk(c, ['exec', pod, '-c', 'terra10-transporter', '--', '/bin/sh', '-c', 'hostname -f']), `${pod}.terra10-hs.default.svc.cluster.local\n`);
    }
  });

  it('35.7: from a busybox pod, nslookup finds a pod by name and both pods behind the headless service', async () => {
    assert.equal(await kubectlOk(c, ['run', 'busybox', '--image=busybox:1.28.4', '--command', '--', 'sleep', '3600']), 'pod/busybox created\n');
    await eventually(async () => {
      const row = (await podRows()).find((r) => r[0] === 'busybox');
      return row?.[1] === '1/1' && row[2] === 'Running' ? true : undefined;
    }, 30_000, 'busybox 1/1 Running');
    const dnsIP = await kubectlOk(c, ['get', 'service', 'kube-dns', '-n', 'kube-system', '-o', 'jsonpath={.spec.clusterIP}']);
    const server = `Server:    ${dnsIP}\nAddress 1: ${dnsIP} kube-dns.kube-system.svc.cluster.local\n\n`;
    const name0 = 'terra10-0.terra10-hs.default.svc.cluster.local';
    const name1 = 'terra10-1.terra10-hs.default.svc.cluster.local';
    const out = await interactiveShell(c, 'busybox', [`nslookup ${name0}`, 'nslookup terra10-hs.default.svc.cluster.local']);
    assert.ok(out.includes(`/ # nslookup ${name0}\n${server}Name:      ${name0}\nAddress 1: ${ip0} ${name0}\n/ # `), out);
    const [first, second] = [ip0, ip1].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const byIP: Record<string, string> = { [ip0]: name0, [ip1]: name1 };
    assert.ok(
      out.includes(`/ # nslookup terra10-hs.default.svc.cluster.local\n${server}Name:      terra10-hs.default.svc.cluster.local\nAddress 1: ${first} ${byIP[first]}\nAddress 2: ${second} ${byIP[second]}\n/ # `),
      out,
    );
    // The chapter's older spelling, without `--`, is refused by kubectl 1.32 itself.
    const old = await kubectl(c, ['exec', 'busybox', 'hostname']);
    assert.notEqual(old.code, 0);
    assert.match(old.stderr, /exec \[POD\] \[COMMAND\] is not supported anymore/);
  });
});
