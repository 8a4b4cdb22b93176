/**
 * kube-proxy for the simulated cluster: every Service with a ClusterIP gets a listener on
 * clusterIP:port for each TCP port (ClusterIPs come from a range inside 127.0.0.0/8, so they are
 * bindable), and a NodePort or LoadBalancer Service one on every node's InternalIP at its nodePort
 * (node addresses are in 127.0.0.0/8 too). Each accepted connection is forwarded to the next ready
 * endpoint, round robin, from the service's EndpointSlices. An endpoint that turns unready stops
 * getting new connections; with no ready endpoint the connection is reset, as kube-proxy's REJECT
 * rule makes it refused.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Logger } from 'pino';
import type { KubeObject } from '../meta/types.js';
import type { InformerFactory } from '../store/informer.js';
import type { PodNetwork } from './pod-network.js';

export interface ServiceProxyOptions {
  informers: InformerFactory;
  logger: Logger;
  /** To reach pod ports the OS refused (served on stand-in ports); plain TCP without it. */
  network?: PodNetwork;
}

export interface ServiceProxy {
  stop(): Promise<void>;
  /** ip:port of every listener, for tests and diagnostics. */
  listeners(): string[];
}

interface Listener {
  server: Server;
  namespace: string;
  service: string;
  portName: string;
  targetPort: number | string;
  next: number;
  sockets: Set<Socket>;
}

const serviceNameLabel = 'kubernetes.io/service-name';

export function startServiceProxy(opts: ServiceProxyOptions): ServiceProxy {
  const services = opts.informers.for<Service & KubeObject>('', 'services');
  const slices = opts.informers.for<EndpointSlice & KubeObject>('discovery.k8s.io', 'endpointslices');
  const nodes = opts.informers.for<Node & KubeObject>('', 'nodes');
  const listeners = new Map<string, Listener>();
  let stopped = false;

  /** The ready addresses and their port for one service port, in a stable order. */
  const backends = (l: Listener): { ip: string; port: number }[] => {
    const out: { ip: string; port: number }[] = [];
    for (const s of slices.list(l.namespace)) {
      if (s.metadata.labels?.[serviceNameLabel] !== l.service) continue;
      const port = (s.ports ?? []).find((p) => (p.name ?? '') === l.portName && (p.protocol ?? 'TCP') === 'TCP')?.port ?? (typeof l.targetPort === 'number' ? l.targetPort : undefined);
      if (port === undefined || port === null) continue;
      for (const e of s.endpoints ?? []) {
        if (e.conditions?.ready === false) continue;
        for (const ip of e.addresses ?? []) out.push({ ip, port });
      }
    }
    return out.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.port - b.port));
  };

  const forward = (l: Listener, client: Socket): void => {
    client.on('error', () => undefined);
    const all = backends(l);
    if (!all.length) {
      client.resetAndDestroy();
      return;
    }
    const b = all[l.next++ % all.length];
    const target = opts.network?.target(b.ip, b.port) ?? { host: b.ip, port: b.port };
    const upstream = connect({ host: target.host, port: target.port });
    l.sockets.add(client);
    const done = (): void => {
      l.sockets.delete(client);
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', () => (client.resetAndDestroy(), done()));
    client.on('close', done);
    upstream.on('close', done);
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const nodeIPs = (): string[] => nodes.list().flatMap((n) => (n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' && !a.address.includes(':')).map((a) => a.address));

  const desired = (): Map<string, Omit<Listener, 'server' | 'next' | 'sockets'>> => {
    const want = new Map<string, Omit<Listener, 'server' | 'next' | 'sockets'>>();
    const onNodes = nodeIPs();
    for (const svc of services.list()) {
      const spec = svc.spec;
      if (!spec || spec.type === 'ExternalName') continue;
      const ips = (spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : []).filter((ip) => ip && ip !== 'None' && !ip.includes(':'));
      const nodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
      for (const p of spec.ports ?? []) {
        if ((p.protocol ?? 'TCP') !== 'TCP') continue;
        const target = { namespace: svc.metadata.namespace ?? 'default', service: svc.metadata.name!, portName: p.name ?? '', targetPort: (p.targetPort as number | string | undefined) ?? p.port };
        for (const ip of ips) want.set(`${ip}:${p.port}`, target);
        if (nodePorts && p.nodePort) for (const ip of onNodes) want.set(`${ip}:${p.nodePort}`, target);
      }
    }
    return want;
  };

  const sync = (): void => {
    if (stopped) return;
    const want = desired();
    for (const [key, l] of listeners) {
      const w = want.get(key);
      if (w && w.namespace === l.namespace && w.service === l.service) {
        Object.assign(l, w);
        continue;
      }
      listeners.delete(key);
      l.server.close();
      for (const s of l.sockets) s.destroy();
    }
    for (const [key, w] of want) {
      if (listeners.has(key)) continue;
      const [host, port] = [key.slice(0, key.lastIndexOf(':')), Number(key.slice(key.lastIndexOf(':') + 1))];
      const l: Listener = { ...w, server: createServer((c) => forward(l, c)), next: 0, sockets: new Set() };
      listeners.set(key, l);
      l.server.on('error', (err) => {
        opts.logger.warn({ err, service: `${w.namespace}/${w.service}`, address: key }, 'service proxy cannot listen');
        if (listeners.get(key) === l) listeners.delete(key);
      });
      l.server.listen({ host, port, exclusive: true });
    }
  };

  const offs = [services.onEvent(sync), nodes.onEvent(sync), slices.onEvent(() => undefined)];
  services.start();
  nodes.start();
  slices.start();
  sync();

  return {
    listeners: () => [...listeners.keys()],
    async stop() {
      stopped = true;
      for (const off of offs) off();
      await Promise.all(
        [...listeners.values()].map(
          (l) =>
            new Promise<void>((resolve) => {
              for (const s of l.sockets) s.destroy();
              l.server.close(() => resolve());
            }),
        ),
      );
      listeners.clear();
    },
  };
}
