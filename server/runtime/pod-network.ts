/**
 * The simulated pod network on this machine: every pod IP is a loopback address (127.0.0.0/8 reaches
 * this host on Linux), so a container's server binds podIP:port for real. When the operating system
 * refuses a port (below 1024 without privileges) the server binds a free port on the same address
 * instead and the network remembers the alias, so exec (curl/wget), port-forward and the service proxy
 * still reach it at podIP:port.
 */
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { HttpHandler, Listening, TcpHandler } from './behaviour.js';

export interface BindOptions {
  /** For tests: treat ports below this as privileged (refused) even when running as root. */
  refusePortsBelow?: number;
}

function listenOn(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

/** Closes a server and every connection it accepted: a stopped container's peers see a reset, as on a real network. */
function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
  });
}

export class PodNetwork {
  /** `ip:port` → the port actually bound, for ports the OS refused. */
  private readonly aliases = new Map<string, number>();
  private readonly servers = new Map<Server, Set<Socket>>();

  constructor(private readonly opts: BindOptions = {}) {}

  /**
   * Binds a server on ip:port. onRefused is told why when the OS refused the port and a stand-in was
   * bound. EADDRINUSE is not worked around: two containers of one pod cannot share a port.
   */
  async bind(ip: string, port: number, handler: { http: HttpHandler } | { tcp: TcpHandler }, onRefused: (why: string) => void): Promise<Listening> {
    const server: Server =
      'http' in handler
        ? createHttpServer((req, res) => {
            Promise.resolve(handler.http(req, res)).catch((err: unknown) => {
              if (!res.headersSent) res.writeHead(500);
              res.end(String(err));
            });
          })
        : createTcpServer((s) => handler.tcp(s));
    const sockets = new Set<Socket>();
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('error', () => undefined);
      s.once('close', () => sockets.delete(s));
    });
    let bound: number;
    const key = `${ip}:${port}`;
    try {
      if (this.opts.refusePortsBelow !== undefined && port < this.opts.refusePortsBelow) {
        throw Object.assign(new Error(`listen EACCES: permission denied ${key}`), { code: 'EACCES' });
      }
      bound = await listenOn(server, ip, port);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'EACCES' && code !== 'EPERM') throw err;
      bound = await listenOn(server, ip, 0);
      this.aliases.set(key, bound);
      onRefused(`the operating system refused ${key} (${code}: ports below 1024 need privileges); it is served on ${ip}:${bound} and through exec and port-forward`);
    }
    this.servers.set(server, sockets);
    return {
      port,
      boundPort: bound,
      close: async () => {
        if (this.aliases.get(key) === bound) this.aliases.delete(key);
        this.servers.delete(server);
        await closeServer(server, sockets);
      },
    };
  }

  /** The address a connection to ip:port really goes to. */
  target(ip: string, port: number): { host: string; port: number } {
    return { host: ip, port: this.aliases.get(`${ip}:${port}`) ?? port };
  }

  /** Opens a TCP connection to ip:port as seen from inside the cluster; resolves once connected. */
  dial(ip: string, port: number, timeoutMs = 10_000): Promise<Socket> {
    const t = this.target(ip, port);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: t.host, port: t.port });
      const timer = setTimeout(() => socket.destroy(Object.assign(new Error('Connection timed out'), { code: 'ETIMEDOUT' })), timeoutMs);
      timer.unref();
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', reject);
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.servers].map(([s, sockets]) => closeServer(s, sockets)));
    this.servers.clear();
    this.aliases.clear();
  }
}
