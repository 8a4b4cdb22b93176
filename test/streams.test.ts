import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, Server, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, type Duplex } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { createApiApp } from '../server/api/server.js';
import type { ContainerTarget, ExecRequest, LogOptions, PodStreams } from '../server/api/pod-streams.js';
import { createPodStreamHandlers, createUpgradeHandler } from '../server/api/streams/index.js';
import { versionInfo } from '../server/api/version.js';
import { startKubemock, type RunningKubemock } from '../server/cli/cluster.js';
import { writeKubeconfig } from '../server/cli/kubeconfig.js';
import { badRequest } from '../server/meta/errors.js';
import { eventually, kubectl, type KubectlTarget } from './helpers/kubectl.js';

/** A stand-in for the simulated containers: a few commands with predictable output, logs from a script. */
class FakePodStreams implements PodStreams {
  readonly logCalls: { target: ContainerTarget; opts: LogOptions }[] = [];
  readonly forwardedPorts: number[] = [];
  /** Ends the current follow stream (the container "stops"). */
  endFollow?: () => void;

  constructor(private readonly httpPort: () => number) {}

  async exec(req: ExecRequest): Promise<number> {
    const [cmd, ...args] = req.command;
    switch (cmd) {
      case 'echo':
        req.stdout?.write(`${args.join(' ')}\n`);
        return 0;
      case 'sh': {
        const m = /^exit (\d+)$/.exec(args[1] ?? '');
        if (m) return Number(m[1]);
        req.stderr?.write('unsupported\n');
        return 127;
      }
      case 'err':
        req.stderr?.write(`to stderr: ${args.join(' ')}\n`);
        return 0;
      case 'cat':
        return new Promise((resolve) => {
          if (!req.stdin) return resolve(1);
          req.stdin.on('data', (d: Buffer) => req.stdout?.write(d.toString().toUpperCase()));
          req.stdin.on('end', () => resolve(0));
        });
      case 'size':
        // Reports the first terminal size the client sends (kubectl sends one as soon as it starts with -t).
        return new Promise((resolve) => req.onResize?.((size) => {
          req.stdout?.write(`tty=${req.tty} size ${size.width}x${size.height}\n`);
          resolve(0);
        }));
      case 'whoami':
        req.stdout?.write(`${req.namespace}/${req.pod}/${req.container} tty=${req.tty}\n`);
        return 0;
      default:
        req.stderr?.write(`${cmd}: command not found\n`);
        return 127;
    }
  }

  async attach(req: ExecRequest): Promise<number> {
    req.stdout?.write(`attached to ${req.container}\n`);
    return 0;
  }

  async logs(target: ContainerTarget, opts: LogOptions): Promise<Readable> {
    this.logCalls.push({ target, opts });
    let lines = (opts.previous ? ['old 1', 'old 2'] : ['line 1', 'line 2', 'line 3']).map((l) => `${target.container} ${l}`);
    if (opts.tailLines !== undefined) lines = lines.slice(Math.max(0, lines.length - opts.tailLines));
    if (opts.timestamps) lines = lines.map((l) => `2026-01-01T00:00:00.000000000Z ${l}`);
    const out = new Readable({ read() {} });
    for (const l of lines) out.push(`${l}\n`);
    if (opts.follow) this.endFollow = () => out.push(null);
    else out.push(null);
    return out;
  }

  async portForward(_ns: string, pod: string, port: number): Promise<Duplex> {
    this.forwardedPorts.push(port);
    if (port === 81) throw badRequest(`nothing listens on port ${port} of ${pod}`);
    return connect(this.httpPort(), '127.0.0.1');
  }
}

function listen(server: Server | TcpServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: Server | TcpServer): Promise<void> {
  return new Promise((resolve) => {
    if (server instanceof Server) server.closeAllConnections();
    server.close(() => resolve());
  });
}

interface ApiUnderTest extends KubectlTarget {
  server: Server;
  url: string;
}

describe('kubectl exec, attach, logs and port-forward against pod stream handlers', () => {
  let km: RunningKubemock;
  let dir: string;
  let backend: Server;
  let backendPort = 0;
  const fake = new FakePodStreams(() => backendPort);
  const apis = new Map<number, ApiUnderTest>();
  /** Every upgrade request seen, to check which protocol each kubectl really used (and that none fell back). */
  const upgrades: { minor: number; action: string; upgrade: string; protocols: string }[] = [];
  const upgradesOf = (minor: number, action: string): string[] => upgrades.filter((u) => u.minor === minor && u.action === action).map((u) => `${u.upgrade} ${u.protocols}`);

  /** An API server reporting Kubernetes 1.<minor>, so the kubectl dispatcher picks that kubectl. */
  async function api(minor: number): Promise<ApiUnderTest> {
    const existing = apis.get(minor);
    if (existing) return existing;
    const logger = pino({ level: 'silent' });
    const deps = { registry: km.registry, streams: fake, logger };
    const app = createApiApp({ registry: km.registry, clock: km.clock, logger, version: versionInfo(minor), subresources: createPodStreamHandlers(deps) });
    const server = createServer(app);
    const upgrade = createUpgradeHandler(deps);
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const action = /\/(exec|attach|portforward)/.exec(req.url ?? '')?.[1] ?? '?';
      upgrades.push({ minor, action, upgrade: req.headers.upgrade ?? '', protocols: String(req.headers['sec-websocket-protocol'] ?? req.headers['x-stream-protocol-version'] ?? '') });
      upgrade(req, socket, head);
    });
    const port = await listen(server);
    const url = `http://127.0.0.1:${port}`;
    const kubeconfig = join(dir, `kubeconfig-${minor}`);
    await writeKubeconfig(kubeconfig, { server: url });
    const target = { server, url, kubeconfig, cacheDir: join(dir, `cache-${minor}`) };
    apis.set(minor, target);
    return target;
  }

  async function runningPod(name: string, containers: string[], extra: Partial<Pod['metadata']> = {}): Promise<void> {
    const ref = km.registry.ref('', 'pods');
    await km.registry.create(ref, 'default', {
      metadata: { name, namespace: 'default', ...extra },
      spec: { nodeName: 'node-1', containers: containers.map((c) => ({ name: c, image: 'busybox' })) },
    });
    const pod = (await km.registry.get(ref, 'default', name)) as Pod;
    await km.registry.update(ref, 'default', name, {
      ...pod,
      status: {
        phase: 'Running',
        containerStatuses: containers.map((c) => ({ name: c, image: 'busybox', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } })),
      },
    }, {}, 'status');
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubemock-streams-'));
    km = await startKubemock({ port: 0, logLevel: 'silent', grpcPort: null, dns: { port: null }, controllers: { enabled: false } });
    backend = createServer((req, res) => res.end(`backend says hello to ${req.url}`));
    backendPort = await listen(backend);
    await runningPod('web', ['nginx']);
    await runningPod('multi', ['app', 'sidecar'], { annotations: { 'kubectl.kubernetes.io/default-container': 'sidecar' } });
    await km.registry.create(km.registry.ref('', 'pods'), 'default', {
      metadata: { name: 'pending', namespace: 'default' }, spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox' }] },
    });
  });

  after(async () => {
    for (const a of apis.values()) await close(a.server);
    await close(backend);
    await km.stop();
    await rm(dir, { recursive: true, force: true });
  });

  // What each kubectl speaks: exec over WebSocket from 1.30, port-forward over WebSocket-tunnelled SPDY from 1.31.
  const expectedProtocols: Record<number, { exec: string; portforward: string }> = {
    27: { exec: 'SPDY/3.1 v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io', portforward: 'SPDY/3.1 portforward.k8s.io' },
    30: { exec: 'websocket v5.channel.k8s.io', portforward: 'SPDY/3.1 portforward.k8s.io' },
    32: { exec: 'websocket v5.channel.k8s.io', portforward: 'websocket SPDY/3.1+portforward.k8s.io' },
    33: { exec: 'websocket v5.channel.k8s.io', portforward: 'websocket SPDY/3.1+portforward.k8s.io' },
  };

  for (const minor of [27, 30, 32, 33]) {
    describe(`kubectl 1.${minor}`, () => {
      test('exec prints the command output', async () => {
        const r = await kubectl(await api(minor), ['exec', 'web', '--', 'echo', 'hi', 'there']);
        assert.equal(r.stderr, '');
        assert.equal(r.stdout, 'hi there\n');
        assert.equal(r.code, 0);
        assert.deepEqual(upgradesOf(minor, 'exec'), [expectedProtocols[minor].exec]);
      });

      test('exec propagates a non-zero exit code', async () => {
        const r = await kubectl(await api(minor), ['exec', 'web', '--', 'sh', '-c', 'exit 3']);
        assert.equal(r.code, 3);
        assert.match(r.stderr, /command terminated with exit code 3/);
      });

      test('exec -i passes stdin through to the end of input', async () => {
        const r = await kubectl(await api(minor), ['exec', '-i', 'web', '--', 'cat'], { stdin: 'piped input\nsecond line\n' });
        assert.equal(r.stdout, 'PIPED INPUT\nSECOND LINE\n', JSON.stringify(r));
        assert.equal(r.code, 0);
      });

      test('exec keeps stderr apart from stdout', async () => {
        const r = await kubectl(await api(minor), ['exec', 'web', '--', 'err', 'oops']);
        assert.equal(r.stdout, '');
        assert.equal(r.stderr, 'to stderr: oops\n');
      });

      test('exec -it runs with a terminal and passes its size', { skip: !existsSync('/usr/bin/script') && 'needs script(1) for a pty' }, async () => {
        const a = await api(minor);
        const line = `stty cols 100 rows 30; kubectl --kubeconfig=${a.kubeconfig} --cache-dir=${a.cacheDir} exec -it web -- size`;
        const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn('script', ['-qec', line, '/dev/null'], { env: { ...process.env, HOME: a.cacheDir }, stdio: ['pipe', 'pipe', 'pipe'] });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (out += d.toString()));
          child.on('close', (code) => resolve({ code, out }));
        });
        assert.match(r.out, /tty=true size 100x30/);
        assert.equal(r.code, 0, r.out);
      });

      test('port-forward relays an HTTP request to the pod port', async () => {
        const a = await api(minor);
        const pf = spawn('kubectl', [`--kubeconfig=${a.kubeconfig}`, `--cache-dir=${a.cacheDir}`, 'port-forward', 'pod/web', ':8080'], {
          env: { ...process.env, HOME: a.cacheDir }, stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        pf.stdout.on('data', (d: Buffer) => (out += d.toString()));
        pf.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const exited = new Promise<void>((resolve) => pf.on('close', () => resolve()));
        try {
          const localPort = await eventually(() => /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(out)?.[1], 30_000, `port-forward to listen: ${out}`);
          for (const path of ['/one', '/two']) {
            const body = await httpGet(Number(localPort), path);
            assert.equal(body, `backend says hello to ${path}`);
          }
          const [x, y] = await Promise.all([httpGet(Number(localPort), '/x'), httpGet(Number(localPort), '/y')]);
          assert.deepEqual([x, y], ['backend says hello to /x', 'backend says hello to /y']);
          assert.ok(fake.forwardedPorts.includes(8080));
          assert.deepEqual(upgradesOf(minor, 'portforward'), [expectedProtocols[minor].portforward]);
        } finally {
          pf.kill('SIGTERM');
          await exited;
        }
      });
    });
  }

  test('exec honours -c and refuses an unknown container', async () => {
    const a = await api(32);
    const ok = await kubectl(a, ['exec', 'multi', '-c', 'app', '--', 'whoami']);
    assert.equal(ok.stdout, 'default/multi/app tty=false\n');
    const bad = await kubectl(a, ['exec', 'web', '-c', 'nope', '--', 'whoami']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /container nope is not valid for pod web/);
  });

  test('exec into a pod whose container is not running fails like the kubelet', async () => {
    const r = await kubectl(await api(32), ['exec', 'pending', '--', 'echo', 'x']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container not found \("c"\)/);
  });

  test('exec into a missing pod is NotFound', async () => {
    const r = await kubectl(await api(32), ['exec', 'ghost', '--', 'echo', 'x']);
    assert.match(r.stderr, /pods "ghost" not found/);
  });

  test('attach streams the main process output', async () => {
    const r = await kubectl(await api(32), ['attach', 'web']);
    assert.match(r.stdout, /attached to nginx/);
    assert.equal(r.code, 0);
  });

  test('logs: default container, --tail, --timestamps, -c, --previous', async () => {
    const a = await api(32);
    assert.equal((await kubectl(a, ['logs', 'web'])).stdout, 'nginx line 1\nnginx line 2\nnginx line 3\n');
    assert.equal((await kubectl(a, ['logs', 'web', '--tail=1'])).stdout, 'nginx line 3\n');
    assert.equal((await kubectl(a, ['logs', 'web', '--tail=1', '--timestamps'])).stdout, '2026-01-01T00:00:00.000000000Z nginx line 3\n');
    assert.equal((await kubectl(a, ['logs', 'multi'])).stdout.split('\n')[0], 'sidecar line 1');
    assert.equal((await kubectl(a, ['logs', 'multi', '-c', 'app', '--previous'])).stdout, 'app old 1\napp old 2\n');
    const last = fake.logCalls.at(-1)!;
    assert.deepEqual(last.target, { namespace: 'default', pod: 'multi', container: 'app' });
    assert.equal(last.opts.previous, true);
    const bad = await kubectl(a, ['logs', 'web', '-c', 'nope']);
    assert.match(bad.stderr, /container nope is not valid for pod web/);
  });

  test('logs -f streams until the container log ends', async () => {
    const a = await api(32);
    const child = spawn('kubectl', [`--kubeconfig=${a.kubeconfig}`, `--cache-dir=${a.cacheDir}`, 'logs', '-f', 'web'], {
      env: { ...process.env, HOME: a.cacheDir }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    await eventually(() => out.includes('nginx line 3') || undefined, 30_000, 'followed lines');
    assert.equal(fake.logCalls.at(-1)?.opts.follow, true);
    fake.endFollow?.();
    assert.equal(await code, 0);
    assert.equal(out, 'nginx line 1\nnginx line 2\nnginx line 3\n');
  });

  test('logs sts/<name> goes through kubectl\'s own pod lookup', async () => {
    const a = await api(32);
    await km.registry.create(km.registry.ref('apps', 'statefulsets'), 'default', {
      metadata: { name: 'terra10', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'terra10' } }, serviceName: 'terra10', template: { metadata: { labels: { app: 'terra10' } }, spec: { containers: [{ name: 'tf', image: 'busybox' }] } } },
    });
    await runningPod('terra10-0', ['tf'], { labels: { app: 'terra10' } });
    const r = await kubectl(a, ['logs', 'sts/terra10']);
    assert.equal(r.stdout, 'tf line 1\ntf line 2\ntf line 3\n', r.stderr);
  });

  test('port-forward reports a failure to reach the pod port', async () => {
    const a = await api(32);
    const pf = spawn('kubectl', [`--kubeconfig=${a.kubeconfig}`, `--cache-dir=${a.cacheDir}`, 'port-forward', 'pod/web', ':81'], {
      env: { ...process.env, HOME: a.cacheDir }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    pf.stdout.on('data', (d: Buffer) => (out += d.toString()));
    pf.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => pf.on('close', () => resolve()));
    try {
      const localPort = Number(await eventually(() => /Forwarding from 127\.0\.0\.1:(\d+) -> 81/.exec(out)?.[1], 30_000, 'port-forward to listen'));
      await httpGet(localPort, '/').catch(() => undefined);
      await eventually(() => out.includes('nothing listens on port 81 of web') || undefined, 30_000, `error text: ${out}`);
    } finally {
      pf.kill('SIGTERM');
      await exited;
    }
  });

  test('a plain request to exec without an upgrade is refused with 400', async () => {
    const a = await api(32);
    const res = await fetch(`${a.url}/api/v1/namespaces/default/pods/web/exec?command=ls&stdout=true`, { method: 'POST' });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { message: string }).message, 'Upgrade request required');
  });
});

function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

