import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { badRequest, internalError, isStatusError, notFound, StatusError } from '../../meta/errors.js';
import type { PodStreamDeps } from './pod-target.js';
import { portForwardProtocol, preparePortForward, servePortForward, tunneledPortForwardProtocol } from './portforward.js';
import { prepareRemoteCommand, type RemoteCommandOptions } from './remotecommand.js';
import { serveSpdyRemoteCommand, spdyRemoteCommandProtocols } from './spdy-remotecommand.js';
import { SpdySession } from './spdy-session.js';
import { pickChannelProtocol, serveChannelSession } from './ws-channels.js';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

type StreamAction = 'exec' | 'attach' | 'portforward';

const streamPath = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)\/?$/;

interface StreamRequest {
  namespace: string;
  name: string;
  action: StreamAction;
  query: URLSearchParams;
}

export function parseStreamRequest(url: string): StreamRequest | undefined {
  const u = new URL(url, 'http://kubemock');
  const m = streamPath.exec(u.pathname);
  if (!m) return undefined;
  return { namespace: decodeURIComponent(m[1]), name: decodeURIComponent(m[2]), action: m[3] as StreamAction, query: u.searchParams };
}

/** A Status as a complete HTTP/1.1 response on a socket the http server handed over for an upgrade. */
function rejectUpgrade(socket: Duplex, err: StatusError): void {
  const body = JSON.stringify(err.status);
  socket.end(
    `HTTP/1.1 ${err.code} ${STATUS_CODES[err.code] ?? 'Error'}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' + body,
  );
}

function headerList(req: IncomingMessage, name: string): string[] {
  const v = req.headers[name];
  const joined = Array.isArray(v) ? v.join(',') : v ?? '';
  return joined.split(',').map((s) => s.trim()).filter(Boolean);
}

/** httpstream.Handshake: the first protocol the client offers that the server speaks. */
function negotiate(offered: string[], supported: string[]): string | undefined {
  return offered.find((p) => supported.includes(p));
}

/**
 * Routes upgrade requests for pods/{exec,attach,portforward}: WebSocket (channel protocols, or SPDY tunnelled for
 * port-forward) and plain SPDY/3.1. Attach it to the http.Server's 'upgrade' event; express never sees these.
 */
export function createUpgradeHandler(deps: PodStreamDeps): UpgradeHandler {
  // The subprotocol is picked before the upgrade (a request without one is refused with a Status instead).
  const chosen = new WeakMap<IncomingMessage, string>();
  // ws loads on the first WebSocket, not at start-up
  let wss: Promise<WebSocketServer> | undefined;
  const webSocketServer = (): Promise<WebSocketServer> =>
    (wss ??= import('ws').then(({ WebSocketServer: Server }) => new Server({
      noServer: true, clientTracking: false, perMessageDeflate: false,
      handleProtocols: (_offered, req) => chosen.get(req) ?? false,
    })));

  return (req, socket, head) => {
    socket.on('error', (err) => deps.logger.debug({ err }, 'stream socket error'));
    const target = parseStreamRequest(req.url ?? '/');
    if (!target) return rejectUpgrade(socket, notFound({ group: '', resource: '' }, req.url ?? ''));
    const upgrade = (req.headers.upgrade ?? '').toLowerCase();
    void (async () => {
      try {
        const options = target.action === 'portforward'
          ? await preparePortForward(deps, target.namespace, target.name)
          : await prepareRemoteCommand(deps, target.action, target.namespace, target.name, target.query);
        if (upgrade === 'websocket') return acceptWebSocket(deps, await webSocketServer(), chosen, req, socket, head, target, options ?? undefined);
        if (upgrade.startsWith('spdy/3.1')) return acceptSpdy(deps, req, socket, head, target, options ?? undefined);
        rejectUpgrade(socket, badRequest(`unsupported upgrade "${req.headers.upgrade ?? ''}"`));
      } catch (err) {
        if (!isStatusError(err)) deps.logger.error({ err, url: req.url }, 'stream upgrade failed');
        rejectUpgrade(socket, isStatusError(err) ? err : internalError(err));
      }
    })();
  };
}

function acceptWebSocket(
  deps: PodStreamDeps, wss: WebSocketServer, chosen: WeakMap<IncomingMessage, string>,
  req: IncomingMessage, socket: Duplex, head: Buffer, target: StreamRequest, options: RemoteCommandOptions | undefined,
): void {
  const offered = headerList(req, 'sec-websocket-protocol');
  const protocol = target.action === 'portforward'
    ? negotiate(offered, [tunneledPortForwardProtocol]) : pickChannelProtocol(offered) || undefined;
  if (!protocol) {
    // Without a common subprotocol client-go falls back to SPDY, which is what an old apiserver makes it do.
    return rejectUpgrade(socket, badRequest(`unable to upgrade: no supported subprotocol among [${offered.join(', ')}]`));
  }
  chosen.set(req, protocol);
  // ws refuses subprotocols that are not RFC 7230 tokens, and "SPDY/3.1+portforward.k8s.io" has a '/': it gets a
  // stand-in token here, and handleProtocols answers with the real name (which the client checks).
  req.headers['sec-websocket-protocol'] = 'kubemock-negotiated';
  wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
    if (target.action === 'portforward') return serveTunneledPortForward(deps, ws, target);
    serveChannelSession(deps, ws, options!);
  });
}

/** kubectl 1.31+: the SPDY byte stream travels in binary WebSocket messages. */
function serveTunneledPortForward(deps: PodStreamDeps, ws: WebSocket, target: StreamRequest): void {
  const session = new SpdySession({
    write: (chunk) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk);
    },
    end: () => ws.close(1000),
  });
  servePortForward(deps, session, target.namespace, target.name);
  ws.on('message', (data: Buffer) => session.receive(data));
  ws.on('close', () => session.transportClosed());
  session.on('error', (err) => deps.logger.debug({ err }, 'port-forward: spdy error'));
}

function acceptSpdy(
  deps: PodStreamDeps, req: IncomingMessage, socket: Duplex, head: Buffer, target: StreamRequest, options: RemoteCommandOptions | undefined,
): void {
  const offered = headerList(req, 'x-stream-protocol-version');
  const supported = target.action === 'portforward' ? [portForwardProtocol] : spdyRemoteCommandProtocols;
  const protocol = negotiate(offered, supported);
  if (!protocol) {
    const message = `protocol not supported: client offered [${offered.join(', ')}], server supports [${supported.join(', ')}]`;
    return rejectUpgrade(socket, new StatusError({ code: 403, reason: 'Forbidden', message }));
  }
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\n' +
    'Connection: Upgrade\r\n' +
    'Upgrade: SPDY/3.1\r\n' +
    `X-Stream-Protocol-Version: ${protocol}\r\n\r\n`,
  );
  const session = new SpdySession({ write: (chunk) => socket.write(chunk), end: () => socket.end() });
  session.on('error', (err) => deps.logger.debug({ err }, 'spdy error'));
  if (target.action === 'portforward') servePortForward(deps, session, target.namespace, target.name);
  else serveSpdyRemoteCommand(deps, session, options!, protocol);
  socket.on('data', (chunk: Buffer) => session.receive(chunk));
  socket.on('close', () => session.transportClosed());
  socket.on('end', () => socket.end());
  if (head.length) session.receive(head);
}
