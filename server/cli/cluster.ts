import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { createOpenApiRouter } from '../api/openapi.js';
import { bindingHandler } from '../api/binding.js';
import { evictionHandler } from '../api/eviction.js';
import { ServiceAccountTokenIssuer, type BoundObjectGetter } from '../api/service-account-tokens.js';
import { tokenRequestHandler } from '../api/token-request.js';
import type { HealthCheck } from '../api/health.js';
import { createApiListener } from '../api/server.js';
import { startGrpcServer, type RunningGrpcServer } from '../grpc/server.js';
import { createAdminRouter } from '../nodes/admin-router.js';
import { versionInfo } from '../api/version.js';
import { startControllers, type ControllerConfig, type RunningControllers } from '../controllers/index.js';
import type { FailureInjection } from '../nodes/index.js';
import { connectDnsView, WatchedDnsView, type DnsWatchedResource } from '../dns/watched-view.js';
import { startDnsServer } from '../dns/server.js';
import { realClock, type Clock } from '../meta/clock.js';
import type { WatchEvent } from '../meta/types.js';
import { Registry } from '../registry/generic.js';
import { buildResources, defaultClusterConfig, type ClusterConfig } from '../registry/kinds/index.js';
import { fieldTracker, patchApplier } from '../registry/patching.js';
import { findDuplicateFields, schemaBodyDecoder } from '../schema/index.js';
import { InformerFactory } from '../store/informer.js';
import { MemoryStorage } from '../store/memory.js';
import { DurableStorage } from '../store/durable.js';
import type { Storage } from '../store/storage.js';
import type { EtcdStorage } from '../store/etcd.js';
import { protectServer, requestUser, tokenAuthenticator } from '../api/auth.js';
import { caData, clusterCABundle, loadTlsFiles, selfSignedTls, servingNames, type ServingTls } from './tls.js';
import { storagePodBinder } from '../nodes/index.js';
import type { LeaderElection } from './leader-election.js';
import { bootstrapObjects, kubeDnsIP } from './bootstrap.js';
import { registryObjectClient } from './object-client.js';
import { createPodStreamHandlers, createUpgradeHandler } from '../api/streams/index.js';
import { eventRecorder } from '../controllers/events.js';
import type { BehaviourMap } from '../runtime/behaviour.js';
import { startServiceProxy, type ServiceProxy } from '../runtime/service-proxy.js';
import { createSimulatedRuntime, type SimulatedRuntime } from '../runtime/simulated-runtime.js';
import type { PodTokenSource } from '../runtime/pod-objects.js';
import { deepCopy } from '../meta/deep-copy.js';

export interface DnsOptions {
  /** 0 picks a free port; null turns the DNS server off. */
  port: number | null;
  zone: string;
  ttlSeconds: number;
  upstream?: string;
}

export interface KubemockOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  logLevel: string;
  kubernetesMinor: number;
  cluster: Partial<ClusterConfig>;
  controllers: Partial<ControllerConfig> & { enabled?: boolean };
  dns: Partial<DnsOptions>;
  /** gRPC port; 0 picks a free one, null turns gRPC off. */
  grpcPort: number | null;
  /** Keep state (objects and volumes) here across restarts; in memory and a temporary directory otherwise. */
  dataDir?: string;
  /** How many objects the in-memory or --data-dir store holds before it refuses more (etcd has its own quota). */
  maxObjects?: number;
  clock?: Clock;
  storage?: Storage;
  /** Keep state in etcd (several kubemock processes on one etcd are one cluster; controllers run on an elected leader). */
  etcd?: { endpoints: string[]; prefix?: string };
  /** Bearer token every API request must carry (kube's outcomes: 401 for a wrong one, anonymous 403 for none). */
  token?: string;
  /** Serve HTTPS with these PEM files, or with a CA and certificate made at start (kept in dataDir/tls). */
  tls?: { certFile: string; keyFile: string } | { selfSigned: true };
  logger?: Logger;
  /**
   * What runs containers: 'simulated' (default) gives every pod real listeners on its IP, volumes as
   * directories, exec, logs and port-forward; 'instant' only plays the pod lifecycle (no sockets).
   */
  containers?: 'simulated' | 'instant';
  /** Behaviours for images (from --behaviours modules); they win over the built-ins. */
  behaviours?: BehaviourMap[];
}

export const defaultOptions: KubemockOptions = {
  host: '127.0.0.1',
  port: 8080,
  logLevel: 'info',
  kubernetesMinor: 32,
  cluster: {},
  controllers: {},
  dns: {},
  grpcPort: 9090,
};

const defaultDns: DnsOptions = { port: 1053, zone: 'cluster.local', ttlSeconds: 30 };

export interface RunningKubemock {
  urls: { api: string; grpc?: string; dns?: string };
  /** What a kubeconfig for this server carries: its CA (base64 PEM) under TLS, and the token. */
  credentials: { caData?: string; token?: string };
  dnsPort?: number;
  registry: Registry;
  informers: InformerFactory;
  clock: Clock;
  logger: Logger;
  dataDir: string;
  /** Failure injection (crash a container, stop a node, ...); undefined when controllers are off. */
  failures?: FailureInjection;
  /** Resolves when every controller queue is idle: convergence for tests, without sleeping. */
  controllersIdle(): Promise<void>;
  stop(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

const dnsResourceGroups: Record<DnsWatchedResource, string> = {
  services: '', endpointslices: 'discovery.k8s.io', namespaces: '', pods: '',
};

/**
 * What a service account token's claims name, from the shared caches (kube's validator reads them from
 * informers too). Registered here, so they start with the others: a token is only issued after that.
 */
function tokenObjects(informers: InformerFactory): BoundObjectGetter {
  const resources = { ServiceAccount: 'serviceaccounts', Pod: 'pods', Secret: 'secrets', Node: 'nodes' } as const;
  const caches = Object.fromEntries(Object.entries(resources).map(([kind, resource]) => [kind, informers.for('', resource)]));
  return (kind, namespace, name) => {
    const obj = caches[kind].get(kind === 'Node' ? undefined : namespace, name);
    return obj && { uid: obj.metadata.uid, deleting: !!obj.metadata.deletionTimestamp };
  };
}

/**
 * The token the kubelet puts in a pod's projected service account volume: one TokenRequest for the pod's
 * account, bound to the pod, for the projection's audience (the API's by default).
 */
function podTokens(tokens: ServiceAccountTokenIssuer, objects: BoundObjectGetter): PodTokenSource {
  return (pod, audience, expirationSeconds) => {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.spec?.serviceAccountName || 'default';
    const uid = objects('ServiceAccount', namespace, name)?.uid;
    if (!uid) return undefined;
    return tokens.issue({
      namespace, name, uid, audiences: audience ? [audience] : tokens.audiences, expirationSeconds,
      bound: { kind: 'Pod', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
    }).token;
  };
}

/** Feeds the DNS view from the shared informers: current objects first, then every change. */
function dnsSubscriber(informers: InformerFactory) {
  return (resource: DnsWatchedResource, handler: (e: WatchEvent) => void): () => void => {
    const inf = informers.for(dnsResourceGroups[resource], resource).start();
    for (const o of inf.list()) handler({ type: 'ADDED', object: deepCopy(o) as WatchEvent['object'] } as WatchEvent);
    return inf.onEvent((e) => handler({ type: e.type, object: e.object } as unknown as WatchEvent));
  };
}

/** The composition root: the only place that builds the clock, store, registry and servers and connects them. */
export async function startKubemock(partial: Partial<KubemockOptions> = {}): Promise<RunningKubemock> {
  const opts: KubemockOptions = { ...defaultOptions, ...partial };
  const clock = opts.clock ?? realClock;
  const logger = opts.logger ?? pino({ level: opts.logLevel, base: undefined }, pino.destination(2));
  const config: ClusterConfig = { ...defaultClusterConfig, kubernetesMinor: opts.kubernetesMinor, ...opts.cluster };
  // etcd3 (and its gRPC stack) loads only when asked for: it is a third of a cold start otherwise
  const etcd: EtcdStorage | undefined = opts.etcd && !opts.storage ? await (await import('../store/etcd.js')).EtcdStorage.open(opts.etcd) : undefined;
  const storage = opts.storage ?? etcd ?? (opts.dataDir
    ? await DurableStorage.open(join(opts.dataDir, 'state'), { maxObjects: opts.maxObjects })
    : new MemoryStorage(undefined, undefined, { maxObjects: opts.maxObjects }));
  const registry = new Registry({
    storage, clock, resources: buildResources(config, { storage }), patcher: patchApplier(), fieldTracker: fieldTracker(),
    decoder: schemaBodyDecoder(),
  });
  const dnsOpts: DnsOptions = { ...defaultDns, ...opts.dns };
  await bootstrapObjects(registry, config.serviceCidr, { dns: dnsOpts.port !== null });
  const informers = new InformerFactory(registry);
  // An in-memory cluster keeps its volumes in a directory of its own, removed when it stops.
  const scratchDir = opts.controllers.dataDir || opts.dataDir ? undefined : await mkdtemp(join(tmpdir(), 'kubemock-data-'));
  const dataDir = opts.controllers.dataDir ?? (opts.dataDir ? join(opts.dataDir, 'volumes') : scratchDir!);
  await mkdir(dataDir, { recursive: true });

  const client = registryObjectClient(registry);
  const binder = storagePodBinder(storage, clock);
  // Containers and the service proxy need the DNS server's address, so they start after it (below).
  let sim: SimulatedRuntime | undefined;
  // made once the serving certificate is known (below), in the background: start-up does not wait for openssl
  let publishCA: { resolve(pem: string): void; reject(err: unknown): void } | undefined;
  const rootCA = new Promise<string>((resolve, reject) => (publishCA = { resolve, reject }));
  rootCA.catch(() => undefined);
  const startPlane = () => startControllers({
    informers, client, clock, logger, binder, runtime: sim?.runtime, kubeletVersion: versionInfo(opts.kubernetesMinor).gitVersion, rootCA,
    config: {
      featureGates: config.featureGates,
      dataDir,
      nodes: 3,
      podCidr: '127.10.0.0/16',
      podStartDelayMs: 1000,
      podReadyDelayMs: 1000,
      podStopDelayMs: 500,
      clusterDomain: dnsOpts.zone,
      ...opts.controllers,
    },
  });
  const tokenCaches = tokenObjects(informers);
  // kube-apiserver's default issuer and audience: the in-cluster API address
  const apiAudience = `https://kubernetes.default.svc.${dnsOpts.zone}`;
  const tokens = new ServiceAccountTokenIssuer(apiAudience, [apiAudience], () => clock.now(), tokenCaches);

  let dns: Awaited<ReturnType<typeof startDnsServer>> | undefined;
  let stopDnsView: (() => void) | undefined;
  let proxy: ServiceProxy | undefined;
  let controllers: RunningControllers | undefined;
  let election: LeaderElection | undefined;
  let server: Server | undefined;
  let grpc: RunningGrpcServer | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await election?.stop();
    controllers?.stop();
    await proxy?.stop();
    await sim?.stop();
    stopDnsView?.();
    informers.stop();
    await dns?.close();
    await grpc?.stop();
    const listening = server;
    if (listening?.listening) {
      await new Promise<void>((resolve) => {
        listening.close(() => resolve());
        listening.closeAllConnections();
      });
    }
    await storage.close();
    // retried: a deleted pod's directory may be going at the same moment (the runtime removes it a second after)
    if (scratchDir) await rm(scratchDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  };

  let tls: ServingTls | undefined;
  let api: string;
  // what fails to start (a port in use, a certificate) must not leave the rest running
  try {
    if (dnsOpts.port !== null) {
      const view = new WatchedDnsView({ clock });
      stopDnsView = await connectDnsView(view, dnsSubscriber(informers));
      dns = await startDnsServer({
        host: opts.host, port: dnsOpts.port, view, zone: dnsOpts.zone, ttlSeconds: dnsOpts.ttlSeconds, upstream: dnsOpts.upstream, clock,
        onError: (err) => logger.warn({ err }, 'dns'),
      });
    }

    if (opts.controllers.enabled !== false && (opts.containers ?? 'simulated') === 'simulated') {
      sim = createSimulatedRuntime({
        dataDir, logger, clock, informers, behaviours: opts.behaviours, zone: dnsOpts.zone, serviceAccountToken: podTokens(tokens, tokenCaches),
        events: eventRecorder(client, clock, logger, 'kubelet'),
        dnsServer: { host: opts.host, port: dns?.udpPort ?? 53, address: kubeDnsIP(config.serviceCidr) },
      });
      proxy = startServiceProxy({ informers, logger, network: sim.network });
    }

    // On etcd, controllers run only while this process holds the leader lease (admin endpoints are off there).
    controllers = opts.controllers.enabled === false || etcd ? undefined : startPlane();
    election = opts.controllers.enabled === false || !etcd ? undefined : (await import('./leader-election.js')).startLeaderElection({
      client: etcd.client, prefix: etcd.prefix, logger,
      onStartedLeading: () => { controllers = startPlane(); },
      onStoppedLeading: () => { controllers?.stop(); controllers = undefined; },
    });
    informers.start();

    const streamDeps = sim ? { registry, streams: sim.streams, logger } : undefined;
    const listener = createApiListener({
      registry, clock, logger, version: versionInfo(opts.kubernetesMinor), openapi: createOpenApiRouter({ clock }),
      userOf: requestUser(opts.token, tokens),
      healthChecks: [...(etcd ? [etcdHealthCheck(etcd)] : []), { name: 'shutdown', readyzOnly: true, check: () => { if (stopped) throw new Error('process is shutting down'); } }],
      findDuplicateFields: (json, parsed) => findDuplicateFields(json, { parsed }),
      extraRouters: controllers ? [createAdminRouter(controllers.failures, controllers.pool)] : [],
      subresources: { ...(streamDeps ? createPodStreamHandlers(streamDeps) : {}), 'pods/binding': bindingHandler(binder), 'pods/eviction': evictionHandler(registry, clock),
        'serviceaccounts/token': tokenRequestHandler(registry, tokens, clock) },
    });
    tls = !opts.tls ? undefined : 'certFile' in opts.tls ? await loadTlsFiles(opts.tls.certFile, opts.tls.keyFile)
      : await selfSignedTls(servingNames(opts.host), opts.dataDir ? join(opts.dataDir, 'tls') : undefined);
    server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, listener) as unknown as Server : createServer(listener);
    if (streamDeps) server.on('upgrade', createUpgradeHandler(streamDeps));
    if (opts.token) protectServer(server, tokenAuthenticator(opts.token, tokens));
    server.keepAliveTimeout = 65_000;
    const address = await listen(server, opts.host, opts.port);
    api = `${tls ? 'https' : 'http'}://${urlHost(opts.host)}:${address.port}`;
    logger.debug({ api }, 'api listening');
    grpc = opts.grpcPort === null ? undefined : await startGrpcServer({ registry, host: opts.host, port: opts.grpcPort, logger });
    // after the ready line: spawning openssl costs the start-up a few milliseconds
    const servingTls = tls;
    setImmediate(() => {
      if (!stopped) clusterCABundle(servingTls, opts.dataDir ? join(opts.dataDir, 'tls') : undefined).then(publishCA!.resolve, publishCA!.reject);
    });
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    credentials: { ...(tls && caData(tls) ? { caData: caData(tls) } : {}), ...(opts.token ? { token: opts.token } : {}) },
    urls: {
      api,
      ...(grpc ? { grpc: `${urlHost(opts.host)}:${grpc.port}` } : {}),
      ...(dns ? { dns: `${urlHost(opts.host)}:${dns.udpPort}` } : {}),
    },
    dnsPort: dns?.udpPort,
    registry,
    informers,
    clock,
    logger,
    dataDir,
    get failures() { return controllers?.failures; },
    controllersIdle: () => controllers?.idle() ?? Promise.resolve(),
    stop,
  };
}

/** kube's etcd check: one read within the 2 s healthcheck timeout. */
function etcdHealthCheck(etcd: EtcdStorage): HealthCheck {
  return {
    name: 'etcd',
    async check() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('etcd did not answer within 2s')), 2000); });
      try {
        await Promise.race([etcd.client.get(`${etcd.prefix}/health`).exec(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
