import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { StatusError } from '../meta/errors.js';
import { anonymousUser, type UserInfo } from '../registry/strategy.js';
import type { ServiceAccountTokenIssuer } from './service-account-tokens.js';

/**
 * Paths kube-apiserver's default RBAC (ClusterRole system:public-info-viewer) grants to
 * system:unauthenticated: an anonymous request may read them, nothing else.
 */
const publicPaths = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

/** Kube's ResourceRequestInfo for namespaces: these follow /namespaces/{name}/ and are not resources. */
const namespaceSubresources = new Set(['status', 'finalize']);

export interface Authenticator {
  /** The Status to answer instead of serving the request, or undefined to serve it. */
  check(req: IncomingMessage): StatusError | undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The bearer token a client presented: the Authorization header, or the WebSocket subprotocol kubectl uses in browsers. */
function presentedToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const m = /^bearer\s+(.*)$/i.exec(header.trim());
    if (m && m[1].trim()) return m[1].trim();
  }
  const protocols = req.headers['sec-websocket-protocol'];
  for (const p of (typeof protocols === 'string' ? protocols.split(',') : [])) {
    const m = /^base64url\.bearer\.authorization\.k8s\.io\.(.+)$/.exec(p.trim());
    if (m) return Buffer.from(m[1], 'base64url').toString('utf8');
  }
  return undefined;
}

/**
 * Whom `--token` stands for: a cluster admin, as a static token file names one (a member of
 * system:masters). It has the kubeconfig's user name.
 */
export const tokenUser: UserInfo = { username: 'kubemock', groups: ['system:masters', 'system:authenticated'] };

/** The user a bearer token names: the --token holder, an account whose token kubemock issued, or nobody. */
function bearerIdentifier(token: string | undefined, tokens?: ServiceAccountTokenIssuer): (presented: string) => UserInfo | undefined {
  const expected = token === undefined ? undefined : digest(token);
  // Compare digests: equal length, so timingSafeEqual applies and the token's length does not leak.
  return (presented) => (expected && timingSafeEqual(digest(presented), expected) ? tokenUser : tokens?.authenticate(presented));
}

/** Users the authenticator already found, so a request's token is checked (a signature verified) once. */
const identified = new WeakMap<IncomingMessage, UserInfo>();

/**
 * Who made a request: the user its bearer token names (see bearerIdentifier); a request without one,
 * or without authentication (no --token) with a token kubemock did not issue, is anonymous, as kube's
 * anonymous authenticator names it.
 */
export function requestUser(token: string | undefined, tokens?: ServiceAccountTokenIssuer): (req: IncomingMessage) => UserInfo {
  const identify = bearerIdentifier(token, tokens);
  return (req) => {
    const known = identified.get(req);
    if (known) return known;
    const presented = presentedToken(req);
    return (presented !== undefined && identify(presented)) || anonymousUser;
  };
}

export function unauthorized(): StatusError {
  return new StatusError({ code: 401, reason: 'Unauthorized', message: 'Unauthorized' });
}

/**
 * Static bearer-token authentication (and the service account tokens kubemock issued) with
 * kube-apiserver's outcomes: a wrong token is 401 on every
 * path; no token makes the request system:anonymous, which may read the public paths and gets 403
 * (worded as RBAC words it) everywhere else.
 */
export function tokenAuthenticator(token: string, tokens?: ServiceAccountTokenIssuer): Authenticator {
  const identify = bearerIdentifier(token, tokens);
  return {
    check(req) {
      const presented = presentedToken(req);
      if (presented !== undefined) {
        const user = identify(presented);
        if (!user) return unauthorized();
        identified.set(req, user);
        return undefined;
      }
      const url = new URL(req.url ?? '/', 'http://kubemock');
      if ((req.method === 'GET' || req.method === 'HEAD') && publicPaths.has(url.pathname)) return undefined;
      return forbiddenForAnonymous(req.method ?? 'GET', url);
    },
  };
}

interface RequestInfo {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** After kube's RequestInfoFactory: which resource and verb an API path names, or undefined for other paths. */
export function requestInfo(method: string, url: URL): RequestInfo | undefined {
  const parts = url.pathname.split('/').filter(Boolean).map((p) => { try { return decodeURIComponent(p); } catch { return p; } });
  let rest: string[];
  let group: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    rest = parts.slice(3);
  } else return undefined;
  let watch = false;
  if (rest[0] === 'watch') {
    watch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !namespaceSubresources.has(rest[2])) rest = rest.slice(2);
  }
  if (!rest.length) return undefined;
  // "/namespaces/{name}[/status]" is the namespace itself: kube reports it in its own namespace.
  const [resource, name, subresource] = rest[0] === 'namespaces' && namespace !== undefined ? ['namespaces', namespace, rest[2]] : rest;
  const w = url.searchParams.get('watch');
  if (w === 'true' || w === '1') watch = true;
  const verbs: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch' };
  let verb = verbs[method] ?? method.toLowerCase();
  if (method === 'GET' || method === 'HEAD') verb = watch ? 'watch' : name ? 'get' : 'list';
  else if (method === 'DELETE') verb = name ? 'delete' : 'deletecollection';
  return { verb, group, resource, subresource, namespace, name };
}

/** RBAC's denial, word for word, for system:anonymous. */
export function forbiddenForAnonymous(method: string, url: URL): StatusError {
  const user = 'system:anonymous';
  const info = requestInfo(method, url);
  if (!info) {
    const verb = (method === 'HEAD' ? 'get' : method.toLowerCase());
    return new StatusError({ code: 403, reason: 'Forbidden', message: `forbidden: User "${user}" cannot ${verb} path "${url.pathname}"`, details: {} });
  }
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const scope = info.namespace !== undefined ? `in the namespace "${info.namespace}"` : 'at the cluster scope';
  const subject = info.name ? `${info.resource} "${info.name}"` : info.resource;
  return new StatusError({
    code: 403, reason: 'Forbidden',
    message: `${subject} is forbidden: User "${user}" cannot ${info.verb} resource "${resource}" in API group "${info.group}" ${scope}`,
    details: { ...(info.name ? { name: info.name } : {}), ...(info.group ? { group: info.group } : {}), kind: info.resource },
  });
}

function sendStatus(res: ServerResponse, err: StatusError): void {
  const body = JSON.stringify(err.status);
  res.writeHead(err.code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache, private' });
  res.end(body);
}

function rejectUpgrade(socket: Duplex, err: StatusError): void {
  const body = JSON.stringify(err.status);
  socket.end(`HTTP/1.1 ${err.code} ${STATUS_CODES[err.code] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * Puts the authenticator in front of everything the server answers: plain requests and protocol
 * upgrades (exec, attach, port-forward), whichever listeners are attached, now or later. It
 * intercepts the server's own 'request' and 'upgrade' events, so no route can be mounted around it.
 */
export function protectServer(server: Server, auth: Authenticator): void {
  const emit = server.emit.bind(server) as (event: string | symbol, ...args: unknown[]) => boolean;
  server.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event === 'request') {
      const [req, res] = args as [IncomingMessage, ServerResponse];
      const denied = auth.check(req);
      if (denied) {
        sendStatus(res, denied);
        return true;
      }
    } else if (event === 'upgrade') {
      const [req, socket] = args as [IncomingMessage, Duplex];
      const denied = auth.check(req);
      if (denied) {
        rejectUpgrade(socket, denied);
        return true;
      }
    }
    return emit(event, ...args);
  }) as Server['emit'];
}
