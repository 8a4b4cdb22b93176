import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpGet } from '../server/runtime/test-fixtures.js';
import { eventually, kubectl, kubectlOk, type KubectlTarget } from './helpers/kubectl.js';
import { spawnKubemock, type KubemockProcess } from './helpers/process.js';
import { claimRanges, type ClaimedRanges } from './helpers/ranges.js';

/**
 * User behaviours given to the real CLI with --behaviours: a TypeScript module (loaded through tsx,
 * so it may use types) and a plain ES module, then driven with kubectl and HTTP on the pod IPs.
 */

// TypeScript on purpose: type annotations, an interface and `satisfies` must load without a build step.
const greeterTs = `
interface Req { url?: string }
interface Res { end(body: string): void }
interface Ctx {
  podName: string; hostname: string; podIP: string; env: Readonly<Record<string, string>>;
  log: { stdout(line: string): void; stderr(line: string): void };
  listen(port: number, handler: (req: Req, res: Res) => void): Promise<unknown>;
}
interface Stdio { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown } }

const greeting: string = 'Hello';

export default {
  'example.com/greeter:*': {
    name: 'greeter',
    async start(ctx: Ctx): Promise<void> {
      const mood: string = ctx.env.GREETER_MOOD ?? 'plain';
      await ctx.listen(8080, (req: Req, res: Res) => {
        const who = new URL(req.url ?? '/', 'http://greeter').searchParams.get('name') ?? 'world';
        ctx.log.stdout(\`greeted \${who}\`);
        res.end(\`\${greeting} \${who}, from \${ctx.hostname} (\${mood})\\n\`);
      });
      ctx.log.stdout(\`greeter listening on \${ctx.podIP}:8080\`);
      ctx.log.stderr('greeter: no config file, using defaults');
    },
    exec(ctx: Ctx, argv: readonly string[], stdio: Stdio): number | undefined {
      // only "greet" is ours; anything else falls through to the simulated shell
      if (argv[0] !== 'greet') return undefined;
      if (!argv[1]) {
        stdio.stderr.write('usage: greet NAME\\n');
        return 2;
      }
      stdio.stdout.write(\`\${greeting} \${argv[1]}, said \${ctx.podName}\\n\`);
      return 0;
    },
  },
} satisfies Record<string, { name: string; start(ctx: Ctx): Promise<void> }>;
`;

// Plain JavaScript, exported under the name "behaviours"; its probe hook decides readiness.
const counterMjs = `
let hits = 0;
export const behaviours = {
  'example.com/counter*': {
    async start(ctx) {
      await ctx.listen(9000, (_req, res) => {
        hits++;
        ctx.log.stdout('hit ' + hits);
        res.end('count ' + hits + '\\n');
      });
    },
    exec(_ctx, argv, stdio) {
      if (argv[0] !== 'count') return undefined;
      stdio.stdout.write(hits + '\\n');
      return 0;
    },
    // ready only once it has served a request, whatever the spec's probe says
    probe(_ctx, kind) {
      return kind === 'readiness' ? hits > 0 : undefined;
    },
  },
  // start() resolves only once /tmp/go exists, so the container stays initialising until the test says so
  'example.com/slow:*': {
    async start(ctx) {
      while ((await ctx.files.readFileIfExists('/tmp/go')) === undefined) {
        if (ctx.signal.aborted) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      ctx.log.stdout('up');
    },
    probe() {
      return true;
    },
  },
};
`;

const brokenTs = `
export default {
  'example.com/fine:*': { start() {} },
  'example.com/broken*': { name: 'no start here' },
};
`;

describe('--behaviours modules on the real CLI', () => {
  let dir: string;
  let km: KubemockProcess;
  let k: KubectlTarget;
  let ranges: ClaimedRanges | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubemock-behaviours-'));
    await writeFile(join(dir, 'greeter.ts'), greeterTs);
    await writeFile(join(dir, 'counter.mjs'), counterMjs);
    await writeFile(join(dir, 'broken.ts'), brokenTs);
    // the copy-paste example of docs/behaviours.md, exactly as the page shows it
    const doc = await readFile(join(import.meta.dirname, '..', 'docs', 'behaviours.md'), 'utf8');
    const example = /```js\n(\/\/ hello\.mjs[\s\S]*?)```/.exec(doc);
    assert.ok(example, 'docs/behaviours.md has its hello.mjs example');
    await writeFile(join(dir, 'hello.mjs'), example[1]);
    const kubeconfig = join(dir, 'kubeconfig');
    km = await spawnKubemock([
      '--behaviours', join(dir, 'greeter.ts'), '--behaviours', join(dir, 'counter.mjs'), '--behaviours', join(dir, 'hello.mjs'),
      '--write-kubeconfig', kubeconfig,
      '--pod-start-delay', '0', '--pod-ready-delay', '0', '--pod-stop-delay', '0',
      // ranges of its own, so tests running side by side never share an address
      ...(ranges = await claimRanges()).args,
    ], 60_000);
    k = { kubeconfig, cacheDir: join(dir, 'cache') };
  });
  after(async () => {
    await km?.stop();
    ranges?.release();
    await rm(dir, { recursive: true, force: true });
  });

  const runningPodIP = (pod: string): Promise<string> =>
    eventually(async () => {
      const [phase, ip] = (await kubectlOk(k, ['get', 'pod', pod, '-o', 'jsonpath={.status.phase} {.status.podIP}'])).split(' ');
      return phase === 'Running' && ip ? ip : undefined;
    }, 30_000, `${pod} Running`);

  it('a TypeScript module: its server answers on the pod IP, its exec hook runs (kubectl exec and exec probes), its log shows', async () => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'greeter' },
      spec: {
        containers: [{
          name: 'greeter', image: 'example.com/greeter:1', env: [{ name: 'GREETER_MOOD', value: 'cheerful' }],
          // only the exec hook knows "greet": the pod turns Ready only if exec probes go through it
          readinessProbe: { exec: { command: ['greet', 'kubelet'] }, periodSeconds: 1 },
        }],
      },
    };
    await kubectlOk(k, ['apply', '-f', '-'], { stdin: JSON.stringify(pod) });
    const ip = await runningPodIP('greeter');
    const answer = await eventually(async () => await httpGet(`http://${ip}:8080/?name=Luc`), 30_000, 'greeter answering');
    assert.deepEqual(answer, { status: 200, body: 'Hello Luc, from greeter (cheerful)\n' });

    assert.equal(await kubectlOk(k, ['exec', 'greeter', '--', 'greet', 'Elvis']), 'Hello Elvis, said greeter\n');
    const usage = await kubectl(k, ['exec', 'greeter', '--', 'greet']);
    assert.equal(usage.stderr.split('\n')[0], 'usage: greet NAME');
    assert.match(usage.stderr, /command terminated with exit code 2/);
    // a command the hook declines runs in the simulated shell
    assert.equal(await kubectlOk(k, ['exec', 'greeter', '--', 'hostname']), 'greeter\n');

    await eventually(async () => {
      const ready = await kubectlOk(k, ['get', 'pod', 'greeter', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
      return ready === 'True' ? true : undefined;
    }, 30_000, 'greeter Ready through its exec hook');

    const logs = await kubectlOk(k, ['logs', 'greeter']);
    assert.deepEqual(logs.split('\n').filter(Boolean), [`greeter listening on ${ip}:8080`, 'greeter: no config file, using defaults', 'greeted Luc']);
  });

  it('a plain .mjs module: its exec hook and its probe hook (readiness follows the hook, not the spec)', async () => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'counter' },
      spec: {
        containers: [{
          name: 'counter', image: 'registry.example.com:5000/example.com/counter:2',
          // this probe would always fail; the behaviour's probe hook overrides it
          readinessProbe: { exec: { command: ['false'] }, periodSeconds: 1 },
        }],
      },
    };
    await kubectlOk(k, ['apply', '-f', '-'], { stdin: JSON.stringify(pod) });
    const ip = await runningPodIP('counter');
    const ready = (): Promise<string> => kubectlOk(k, ['get', 'pod', 'counter', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    assert.equal(await kubectlOk(k, ['exec', 'counter', '--', 'count']), '0\n');
    assert.equal(await ready(), 'False', 'not ready before its first request');
    assert.equal((await httpGet(`http://${ip}:9000/`)).body, 'count 1\n');
    await eventually(async () => ((await ready()) === 'True' ? true : undefined), 30_000, 'counter Ready once it served a request');
    assert.equal(await kubectlOk(k, ['exec', 'counter', '--', 'count']), '1\n');
    assert.equal(await kubectlOk(k, ['logs', 'counter']), 'hit 1\n');
  });

  it('the example of docs/behaviours.md does what the page says', async () => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hello' },
      spec: {
        containers: [{
          name: 'hello', image: 'example.com/hello:1', env: [{ name: 'GREETING', value: 'Hi' }], ports: [{ containerPort: 8080 }],
          readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
        }],
      },
    };
    await kubectlOk(k, ['apply', '-f', '-'], { stdin: JSON.stringify(pod) });
    const ip = await runningPodIP('hello');
    const ready = (): Promise<string> => kubectlOk(k, ['get', 'pod', 'hello', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    await eventually(async () => ((await ready()) === 'True' ? true : undefined), 30_000, 'hello Ready');
    assert.equal((await httpGet(`http://${ip}:8080/?name=Luc`)).body, 'Hi, Luc! (from hello)\n');
    assert.equal(await kubectlOk(k, ['exec', 'hello', '--', 'stats']), 'served 1\n');
    assert.match(await kubectlOk(k, ['exec', 'hello', '--', 'cat', '/tmp/started']), /^\d{4}-\d\d-\d\dT[\d:.]+Z\n$/);
    assert.deepEqual((await kubectlOk(k, ['logs', 'hello'])).split('\n').filter(Boolean), [`hello listening on ${ip}:8080`, 'greeted Luc']);
    await kubectlOk(k, ['exec', 'hello', '--', 'touch', '/tmp/maintenance']);
    await eventually(async () => ((await ready()) === 'False' ? true : undefined), 30_000, 'hello unready in maintenance');
  });

  it('a container whose start() has not resolved is Running but never Ready, whatever its probe hook says', async () => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'slow' },
      spec: { containers: [{ name: 'slow', image: 'example.com/slow:1', readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 } }] },
    };
    await kubectlOk(k, ['apply', '-f', '-'], { stdin: JSON.stringify(pod) });
    await runningPodIP('slow');
    const ready = (): Promise<string> => kubectlOk(k, ['get', 'pod', 'slow', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    // several probe periods go by while start() is still waiting
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await ready(), 'False', 'Ready before start() resolved');
    assert.equal(await kubectlOk(k, ['logs', 'slow']), '');
    await kubectlOk(k, ['exec', 'slow', '--', 'touch', '/tmp/go']);
    await eventually(async () => ((await ready()) === 'True' ? true : undefined), 30_000, 'slow Ready once start() resolved');
    assert.equal(await kubectlOk(k, ['logs', 'slow']), 'up\n');
  });

  it('a module whose behaviour has no start() stops the CLI with a message naming the pattern', async () => {
    const err = await spawnKubemock(['--behaviours', join(dir, 'broken.ts'), '--nodes', '0'], 60_000).then(
      async (p) => {
        await p.stop();
        return undefined;
      },
      (e: unknown) => e as Error,
    );
    assert.ok(err, 'kubemock started with a broken behaviours module');
    assert.match(err.message, /kubemock exited \([1-9]\d*\) before it was ready/);
    assert.match(err.message, /behaviour for "example\.com\/broken\*" has no start\(\) function/);
  });
});
