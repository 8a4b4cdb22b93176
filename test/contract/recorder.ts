/**
 * A recording HTTP proxy for contract tests: put it between any client (kubectl, client-node, the SDK,
 * supertest) and kubemock, and every request/response pair is kept for the validators. Responses are
 * streamed through as they arrive, so watches behave exactly as without the proxy; a watch the client
 * cuts off is recorded with what had arrived (complete: false).
 */
import { createServer, request as httpRequest, Agent, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';

export interface Exchange {
  /** Order of arrival at the proxy. */
  seq: number;
  method: string;
  /** Path and query, as the client sent them. */
  url: string;
  requestHeaders: IncomingHttpHeaders;
  requestBody: Buffer;
  status: number;
  responseHeaders: IncomingHttpHeaders;
  responseBody: Buffer;
  /** False when the client went away before the response ended (a stopped watch). */
  complete: boolean;
  /** Connection upgrades (exec, attach, port-forward) are passed through raw and not recorded further. */
  upgraded: boolean;
}

export interface RecordingProxy {
  url: string;
  readonly exchanges: readonly Exchange[];
  /** Resolves once every exchange that has started is recorded (a watch is recorded when its client leaves). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts the proxy on 127.0.0.1 (a free port) in front of `target` (an http:// base URL). */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const exchanges: Exchange[] = [];
  const pending = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  let seq = 0;

  const track = (p: Promise<void>): void => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const n = seq++;
    const requestBody = await readAll(req);
    const headers = { ...req.headers, host: upstream.host };
    await new Promise<void>((resolve) => {
      const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        res.flushHeaders();
        const chunks: Buffer[] = [];
        let done = false;
        const record = (complete: boolean): void => {
          if (done) return;
          done = true;
          exchanges.push({
            seq: n, method: req.method ?? 'GET', url: req.url ?? '/', requestHeaders: req.headers, requestBody,
            status: up.statusCode ?? 0, responseHeaders: up.headers, responseBody: Buffer.concat(chunks), complete, upgraded: false,
          });
          resolve();
        };
        up.on('data', (c: Buffer) => {
          chunks.push(c);
          res.write(c);
        });
        up.on('end', () => {
          res.end();
          record(true);
        });
        up.on('error', () => record(false));
        // The client stopping a watch: stop reading upstream too, and keep what arrived.
        res.on('close', () => {
          if (!up.complete) {
            up.destroy();
            record(false);
          }
        });
      });
      out.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(err));
        resolve();
      });
      out.end(requestBody);
    });
  }

  // A client that hangs up mid-body aborts the read: nothing to record or forward then.
  const server = createServer((req, res) => track(forward(req, res).catch(() => void res.destroy())));
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // exec/attach/port-forward upgrade to WebSocket or SPDY: splice the sockets together.
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    exchanges.push({
      seq: seq++, method: req.method ?? 'GET', url: req.url ?? '/', requestHeaders: req.headers, requestBody: Buffer.alloc(0),
      status: 101, responseHeaders: {}, responseBody: Buffer.alloc(0), complete: true, upgraded: true,
    });
    const up = connect(Number(upstream.port), upstream.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        lines.push(`${name}: ${name.toLowerCase() === 'host' ? upstream.host : req.rawHeaders[i + 1]}`);
      }
      up.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    sockets.add(up);
    up.on('close', () => {
      sockets.delete(up);
      socket.destroy();
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
    socket.on('close', () => up.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    async settled() {
      while (pending.size) await Promise.all([...pending]);
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
      await Promise.all([...pending]);
    },
  };
}
