/**
 * pods/proxy and services/proxy: kube-apiserver's ProxyREST, which forwards any HTTP request under
 * `.../{name}/proxy/...` to the pod (or one ready endpoint of the service) and streams the answer back.
 * The connection is made as port-forward makes it (PodStreams.portForward), so it reaches a simulated
 * container wherever its server listens; only plain HTTP is spoken, and an upgrade is refused.
 */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Request, Response } from 'express';
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import { badRequest, serviceUnavailable, StatusError } from '../../meta/errors.js';
import type { ResourceTarget } from '../paths.js';
import type { SubresourceHandler } from '../server.js';
import { getPod, type PodStreamDeps } from './pod-target.js';

/** Where the proxied request goes: a pod by name and a port on it. */
interface Upstream {
  namespace: string;
  pod: string;
  port: number;
  /** For the error text: the address kube's transport would have dialled. */
  address: string;
}

/** utilnet.SplitSchemeNamePort: "name", "name:port" or "scheme:name:port", scheme http or https. */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(':');
  const [scheme, name, port] = parts.length === 3 ? parts : ['', parts[0], parts[1] ?? ''];
  if (parts.length > 3 || !name || !['', 'http', 'https'].includes(scheme)) return undefined;
  return { scheme, name, port };
}

/** The pod's IP and the port asked for, or its first declared container port (pod ResourceLocation). */
async function podUpstream(deps: PodStreamDeps, namespace: string, name: string, portText: string): Promise<Upstream> {
  const pod = await getPod(deps.registry, namespace, name);
  const first = pod.spec?.containers?.find((c) => c.ports?.length)?.ports?.[0]?.containerPort;
  const port = portText ? Number(portText) : first ?? 80;
  const ip = pod.status?.podIP ?? '';
  if (!ip) throw badRequest(`address not allowed: pod ${name} has no IP yet`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw badRequest(`invalid port "${portText}" for pod ${name}: kubemock proxies to a port number`);
  return { namespace, pod: name, port, address: `${ip}:${port}` };
}

/**
 * Service ResourceLocation: a port number names the service port it declares; the endpoints' port of
 * that name on a ready address is the one dialled.
 */
async function serviceUpstream(deps: PodStreamDeps, namespace: string, name: string, portText: string): Promise<Upstream> {
  const { registry } = deps;
  let portName = portText;
  if (/^\d+$/.test(portText)) {
    const svc = (await registry.get(registry.ref('', 'services'), namespace, name)) as Service;
    const declared = svc.spec?.ports?.find((p) => p.port === Number(portText));
    if (!declared) throw serviceUnavailable(`no service port ${portText} found for service "${name}"`);
    portName = declared.name ?? '';
  }
  const eps = (await registry.get(registry.ref('', 'endpoints'), namespace, name)) as Endpoints;
  const subsets = eps.subsets ?? [];
  if (!subsets.length) throw serviceUnavailable(`no endpoints available for service "${name}"`);
  const start = Math.floor(Math.random() * subsets.length);
  for (let i = 0; i < subsets.length; i++) {
    const ss = subsets[(start + i) % subsets.length];
    const port = ss.ports?.find((p) => (p.name ?? '') === portName);
    const addresses = (ss.addresses ?? []).filter((a) => a.targetRef?.kind === 'Pod' && a.targetRef.name);
    if (!port || !addresses.length) continue;
    const addr = addresses[Math.floor(Math.random() * addresses.length)];
    return { namespace, pod: addr.targetRef!.name!, port: port.port, address: `${addr.ip}:${port.port}` };
  }
  throw serviceUnavailable(`no endpoints available for service "${name}"`);
}

/** Connection-level headers a proxy never forwards (RFC 9110 7.6.1), and the caller's credentials, which kube drops once it has authenticated them. */
const dropped = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'authorization', 'host']);

function forwardedHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !dropped.has(k)) out[k] = v;
  return out;
}

/** What follows `/proxy` in the request as sent (still escaped), with its query: the upstream's request target. */
function upstreamPath(originalUrl: string): string {
  const at = originalUrl.indexOf('?');
  const path = at < 0 ? originalUrl : originalUrl.slice(0, at);
  const rest = path.slice(path.indexOf('/proxy') + '/proxy'.length) || '/';
  return at < 0 ? rest : `${rest}${originalUrl.slice(at)}`;
}

function reachError(upstream: Upstream, err: unknown): StatusError {
  // the simulated runtime's dial words a refusal as the kubelet's port-forward does; the proxy words it as Go's dialer
  const refused = (err as { code?: string }).code === 'ECONNREFUSED' || /connection refused/.test((err as Error).message);
  const code = refused ? 'connect: connection refused' : (err as Error).message;
  return serviceUnavailable(`error trying to reach service: dial tcp ${upstream.address}: ${code}`);
}

/** Sends the request over a connection to the upstream and streams the response back. */
function forward(req: Request, res: Response, upstream: Upstream, conn: Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = httpRequest({
      method: req.method, path: upstreamPath(req.originalUrl), headers: { ...forwardedHeaders(req.headers), host: upstream.address },
      // no agent: with one, node would ignore createConnection and dial the Host itself
      createConnection: () => conn,
    }, (answer) => {
      const headers = forwardedHeaders(answer.headers);
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
      answer.pipe(res);
      answer.on('end', () => resolve());
      answer.on('error', () => resolve());
    });
    out.on('error', (err) => (res.headersSent ? resolve() : reject(reachError(upstream, err))));
    // a client that leaves takes the connection to the pod with it
    res.on('close', () => {
      if (!res.writableFinished) out.destroy();
    });
    req.pipe(out);
  });
}

export function proxyHandler(deps: PodStreamDeps, kind: 'pods' | 'services'): SubresourceHandler {
  return async (req: Request, res: Response, target: ResourceTarget) => {
    if (req.headers.upgrade) throw badRequest('kubemock does not proxy upgraded connections (WebSocket) to pods or services; use kubectl port-forward');
    const id = splitSchemeNamePort(target.name!);
    if (!id) throw badRequest(`invalid ${kind === 'pods' ? 'pod' : 'service'} request "${target.name}"`);
    // UpgradeAwareHandler: the proxy root is a directory, so links in what it serves resolve under it
    if (/\/proxy$/.test(req.path)) {
      const at = req.originalUrl.indexOf('?');
      res.redirect(301, at < 0 ? `${req.originalUrl}/` : `${req.originalUrl.slice(0, at)}/${req.originalUrl.slice(at)}`);
      return;
    }
    const upstream = kind === 'pods'
      ? await podUpstream(deps, target.namespace, id.name, id.port)
      : await serviceUpstream(deps, target.namespace, id.name, id.port);
    if (id.scheme === 'https') throw serviceUnavailable(`error trying to reach service: kubemock's simulated containers serve plain HTTP, not https on ${upstream.address}`);
    let conn: Duplex;
    try {
      conn = await deps.streams.portForward(upstream.namespace, upstream.pod, upstream.port);
    } catch (err) {
      if (err instanceof StatusError) throw err.code === 400 ? serviceUnavailable(`error trying to reach service: ${err.message}`) : err;
      throw reachError(upstream, err);
    }
    await forward(req, res, upstream, conn);
  };
}
