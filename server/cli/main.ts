import { Command, InvalidArgumentError, Option } from 'commander';
import { parseKubernetesMinor } from '../api/version.js';
import { defaultMaxObjects } from '../store/memory.js';
import { startKubemock, type KubemockOptions } from './cluster.js';
import { writeKubeconfig } from './kubeconfig.js';
import { lookupDns } from '../dns/lookup-cli.js';
import { loadBehaviourModule } from '../runtime/behaviour-registry.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return n;
}

function minor(value: string): number {
  try {
    return parseKubernetesMinor(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return n;
}

function positiveInt(value: string): number {
  const n = nonNegativeInt(value);
  if (n === 0) throw new InvalidArgumentError('must be 1 or more');
  return n;
}

/** Durations as Go writes them ("1s", "500ms", "0"), in milliseconds. */
function duration(value: string): number {
  const m = value.trim().match(/^(\d+(?:\.\d+)?)(ms|s|m)?$/);
  if (!m) throw new InvalidArgumentError('expected a duration such as 500ms, 1s or 0');
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000);
}

/** Help shows the default as a duration to type: a bare number is seconds, so "1000" would mislead. */
function durationOption(flags: string, description: string, fallback: string): Option {
  return new Option(flags, `${description} (a bare number is seconds)`).argParser(duration).default(duration(fallback), fallback);
}

function endpoints(value: string): string[] {
  const urls = value.split(',').map((u) => u.trim()).filter(Boolean);
  if (!urls.length || urls.some((u) => !/^https?:\/\/[^/]+\/?$/.test(u))) throw new InvalidArgumentError('expected URLs such as http://127.0.0.1:2379[,http://...]');
  return urls;
}

function cidr(value: string): string {
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(value)) throw new InvalidArgumentError('expected an IPv4 CIDR such as 127.10.0.0/16');
  return value;
}

function featureGates(value: string, previous: Record<string, boolean> = {}): Record<string, boolean> {
  const out = { ...previous };
  for (const kv of value.split(',').filter(Boolean)) {
    const [k, v] = kv.split('=');
    if (!k || (v !== 'true' && v !== 'false')) throw new InvalidArgumentError(`expected Name=true|false, got "${kv}"`);
    out[k] = v === 'true';
  }
  return out;
}

interface ServeFlags {
  host: string;
  port: number;
  writeKubeconfig?: string;
  logLevel: string;
  kubernetesVersion: number;
  deprecatedApis: boolean;
  featureGates: Record<string, boolean>;
  serviceCidr: string;
  podCidr: string;
  nodes: number;
  podStartDelay: number;
  podReadyDelay: number;
  podStopDelay: number;
  dnsPort: number;
  grpcPort: number;
  clusterDomain: string;
  dnsTtl: number;
  dnsUpstream?: string;
  dataDir?: string;
  maxObjects: number;
  etcdEndpoints?: string[];
  etcdPrefix: string;
  token?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsSelfSigned?: boolean;
  behaviours: string[];
  containers: 'simulated' | 'instant';
}

async function serve(flags: ServeFlags): Promise<void> {
  const options: Partial<KubemockOptions> = {
    host: flags.host,
    port: flags.port,
    logLevel: flags.logLevel,
    kubernetesMinor: flags.kubernetesVersion,
    cluster: { deprecatedApis: flags.deprecatedApis, featureGates: flags.featureGates, serviceCidr: flags.serviceCidr },
    controllers: {
      nodes: flags.nodes, podCidr: flags.podCidr, podStartDelayMs: flags.podStartDelay, podReadyDelayMs: flags.podReadyDelay,
      podStopDelayMs: flags.podStopDelay,
    },
    ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
    maxObjects: flags.maxObjects,
    ...(flags.etcdEndpoints ? { etcd: { endpoints: flags.etcdEndpoints, prefix: flags.etcdPrefix } } : {}),
    ...(flags.token ? { token: flags.token } : {}),
    ...(flags.tlsCert || flags.tlsKey ? { tls: { certFile: flags.tlsCert!, keyFile: flags.tlsKey! } } : flags.tlsSelfSigned ? { tls: { selfSigned: true as const } } : {}),
    grpcPort: flags.grpcPort,
    containers: flags.containers,
    behaviours: await Promise.all(flags.behaviours.map((f) => loadBehaviourModule(f))),
    dns: { port: flags.dnsPort, zone: flags.clusterDomain, ttlSeconds: flags.dnsTtl, upstream: flags.dnsUpstream },
  };
  if (!!flags.tlsCert !== !!flags.tlsKey) throw new InvalidArgumentError('--tls-cert and --tls-key go together');
  const km = await startKubemock(options);
  if (flags.writeKubeconfig) await writeKubeconfig(flags.writeKubeconfig, { server: km.urls.api, ...km.credentials });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    km.logger.info({ signal }, 'shutting down');
    km.stop().then(() => process.exit(0), (err: unknown) => {
      km.logger.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // only now: a script that stops kubemock as soon as it reads this line must find the handlers there
  const listeners = Object.entries(km.urls).map(([k, v]) => `${k}=${v}`).join(' ');
  process.stdout.write(`kubemock ready: ${listeners}\n`);
}

const nodeActions: Record<string, string> = { 'crash-node': 'crash', 'stop-node': 'stop', 'start-node': 'start', 'delete-node': 'delete' };
const podActions = new Set(['crash', 'unready', 'ready', 'recover']);

/** Calls the admin endpoint /kubemock/v1/... of a running server. */
async function inject(server: string, action: string, target: string, flags: { container?: string; loop?: boolean }): Promise<string> {
  let path: string;
  let body: Record<string, unknown> = {};
  if (nodeActions[action]) path = `/kubemock/v1/nodes/${encodeURIComponent(target)}/${nodeActions[action]}`;
  else if (podActions.has(action)) {
    const [ns, pod] = target.includes('/') ? target.split('/', 2) : ['default', target];
    path = `/kubemock/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}/${action}`;
    if (action === 'crash') body = { container: flags.container, loop: !!flags.loop };
  } else {
    throw new InvalidArgumentError(`unknown action "${action}": use ${[...Object.keys(nodeActions), ...podActions].join(', ')}`);
  }
  const res = await fetch(new URL(path, server), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await res.json()) as { ok?: boolean; message?: string };
  if (!res.ok || !answer.ok) {
    process.exitCode = 1;
    return `error: ${answer.message ?? res.statusText}`;
  }
  return `${action} ${target}: done`;
}

export function buildCli(): Command {
  const program = new Command('kubemock').description('A Kubernetes-shaped mock API server').showHelpAfterError();
  program
    .command('serve', { isDefault: true })
    .description('start kubemock (in-memory store, API on 127.0.0.1:8080 by default)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'API port (0 = a free port)', port, 8080)
    .option('--write-kubeconfig <file>', 'write a kubeconfig whose current context points at this server')
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'))
    .option('--kubernetes-version <version>', 'Kubernetes version to report, 1.27 to 1.33', minor, 32)
    .option('--no-deprecated-apis', 'do not serve StatefulSets as apps/v1beta1 and apps/v1beta2')
    .option('--feature-gates <gates>', 'feature gates, e.g. MaxUnavailableStatefulSet=true', featureGates, {})
    .option('--service-cidr <cidr>', 'range ClusterIPs are allocated from', cidr, '127.96.0.0/16')
    .option('--pod-cidr <cidr>', 'range pod IPs are allocated from', cidr, '127.10.0.0/16')
    .option('--nodes <n>', 'simulated worker nodes', nonNegativeInt, 3)
    .addOption(durationOption('--pod-start-delay <duration>', 'time from scheduling to Running', '1s'))
    .addOption(durationOption('--pod-ready-delay <duration>', 'time from Running to Ready', '1s'))
    .addOption(durationOption('--pod-stop-delay <duration>', 'time a terminating container takes to stop on SIGTERM', '500ms'))
    .option('--data-dir <dir>', 'keep every object (write-ahead log with fsync) and volume here across restarts; in memory by default')
    .option('--max-objects <n>', 'objects the store holds before it refuses more writes, as a full etcd does (not with --etcd-endpoints)', positiveInt, defaultMaxObjects)
    .option('--grpc-port <port>', 'gRPC port (0 = a free port)', port, 9090)
    .option('--etcd-endpoints <urls>', 'keep every object in etcd v3 (comma-separated URLs); instances on one etcd are one cluster', endpoints)
    .option('--etcd-prefix <prefix>', 'etcd key prefix', '/registry')
    .option('--token <token>', 'require this bearer token (401 for a wrong one; without one only /healthz, /livez, /readyz, /version)')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--tls-self-signed', 'serve HTTPS with a CA and certificate made at start (kept in --data-dir); the kubeconfig carries the CA')
    .option('--behaviours <module>', 'a module mapping image patterns to container behaviours (repeatable); see docs/behaviours.md', (v: string, all: string[]) => [...all, v], [])
    .addOption(new Option('--containers <runtime>', 'simulated: pods get real listeners, volumes, exec and logs; instant: lifecycle only').choices(['simulated', 'instant']).default('simulated'))
    .option('--dns-port <port>', 'DNS port, UDP and TCP (0 = a free port)', port, 1053)
    .option('--cluster-domain <zone>', 'the cluster DNS zone', 'cluster.local')
    .option('--dns-ttl <seconds>', 'TTL of DNS answers', nonNegativeInt, 30)
    .option('--dns-upstream <host:port>', 'forward queries outside the zone to this resolver (REFUSED otherwise)')
    .action((flags: ServeFlags) => serve(flags));
  program
    .command('inject <action> <target>')
    .description('failure injection on a running kubemock: crash-node|stop-node|start-node|delete-node <node>, crash|unready|ready|recover <namespace/pod>')
    .option('--server <url>', 'kubemock API URL', 'http://127.0.0.1:8080')
    .option('-c, --container <name>', 'container to crash (default: every container of the pod)')
    .option('--loop', 'keep crashing on every restart (CrashLoopBackOff) until `recover`')
    .action(async (action: string, target: string, flags: { server: string; container?: string; loop?: boolean }) => {
      const text = await inject(flags.server, action, target, flags);
      process.stdout.write(`${text}\n`);
    });
  program
    .command('dns <name> [type]')
    .description('resolve a name against a running kubemock, like nslookup')
    .option('--server <address>', 'kubemock DNS address', '127.0.0.1')
    .option('--port <port>', 'kubemock DNS port', port, 1053)
    .option('-n, --namespace <ns>', 'resolve short names as a pod in this namespace would (search path, ndots 5)')
    .option('--cluster-domain <zone>', 'the cluster DNS zone', 'cluster.local')
    .action(async (name: string, type: string | undefined, flags: { server: string; port: number; namespace?: string; clusterDomain: string }) => {
      const result = await lookupDns({ server: flags.server, port: flags.port, name, type, searchNamespace: flags.namespace, zone: flags.clusterDomain });
      process.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
      if (result.rcode !== 'NOERROR') process.exitCode = 1;
    });
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildCli().parseAsync(argv);
}
