/**
 * Web servers the Kubernetes tutorials and e2e tests use: nginx and httpd serve their document roots on
 * port 80 (with the images' default pages, hidden when a volume is mounted there), and echo servers
 * (hashicorp/http-echo, agnhost netexec / serve-hostname, generic *echo* images).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { posix } from 'node:path';
import { Writable } from 'node:stream';
import type { Behaviour, BehaviourContext } from '../behaviour.js';
import { formatDate } from '../shell/file-commands.js';
import { defaultBehaviour } from './default.js';

export const nginxWelcome = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

export const httpdWelcome = '<html><body><h1>It works!</h1></body></html>\n';

const types: Record<string, string> = { '.html': 'text/html', '.htm': 'text/html', '.txt': 'text/plain', '.css': 'text/css', '.js': 'application/javascript', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml' };

function staticServer(ctx: BehaviourContext, root: string, server: string, notFound: (path: string) => string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let path = posix.normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path.endsWith('/')) path += 'index.html';
    const file = await ctx.files.readFileIfExists(posix.join(root, path)).catch(() => undefined);
    const headers = { Server: server, Date: new Date(ctx.clock.now()).toUTCString() };
    if (!file) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/html' });
      res.end(req.method === 'HEAD' ? undefined : notFound(path));
      ctx.log.stdout(`${req.socket.remoteAddress ?? '-'} - - "${req.method} ${req.url} HTTP/${req.httpVersion}" 404`);
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': types[posix.extname(path)] ?? 'application/octet-stream', 'Content-Length': file.length });
    res.end(req.method === 'HEAD' ? undefined : file);
    ctx.log.stdout(`${req.socket.remoteAddress ?? '-'} - - "${req.method} ${req.url} HTTP/${req.httpVersion}" 200 ${file.length}`);
  };
}

export const nginxBehaviour: Behaviour = {
  name: 'nginx',
  async start(ctx) {
    const root = '/usr/share/nginx/html';
    await ctx.files.writeImageFile(`${root}/index.html`, nginxWelcome);
    await ctx.files.writeImageFile(`${root}/50x.html`, '<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n</head>\n<body>\n<h1>An error occurred.</h1>\n</body>\n</html>\n');
    const notFound = (): string => '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.27.3</center>\r\n</body>\r\n</html>\r\n';
    await ctx.listen(80, staticServer(ctx, root, 'nginx/1.27.3', notFound));
    ctx.log.stdout('/docker-entrypoint.sh: Configuration complete; ready for start up');
  },
};

export const httpdBehaviour: Behaviour = {
  name: 'httpd',
  async start(ctx) {
    const root = '/usr/local/apache2/htdocs';
    await ctx.files.writeImageFile(`${root}/index.html`, httpdWelcome);
    const notFound = (path: string): string =>
      `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL ${path} was not found on this server.</p>\n</body></html>\n`;
    await ctx.listen(80, staticServer(ctx, root, 'Apache/2.4.62 (Unix)', notFound));
    ctx.log.stdout(`[${formatDate(ctx.clock.now(), '%a %b %d %T %Y')}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations`);
  },
};

function flag(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i].replace(/^--?/, '-');
    if (a === `-${name}`) return argv[i + 1];
    if (a.startsWith(`-${name}=`)) return a.slice(name.length + 2);
  }
  return undefined;
}

/** hashicorp/http-echo: -text (or ECHO_TEXT) on -listen (default :5678). */
export const httpEchoBehaviour: Behaviour = {
  name: 'http-echo',
  async start(ctx) {
    const text = flag(ctx.argv, 'text') ?? ctx.env.ECHO_TEXT ?? '';
    const port = Number((flag(ctx.argv, 'listen') ?? ':5678').split(':').pop());
    await ctx.listen(port, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-App-Name': 'http-echo' });
      res.end(`${text}\n`);
    });
    ctx.log.stdout(`[INFO] server is listening on :${port}`);
  },
};

/** agnhost: netexec (/hostname, /echo, /clientip, /healthz, /shell) and serve-hostname. */
export const agnhostBehaviour: Behaviour = {
  name: 'agnhost',
  async start(ctx) {
    const sub = ctx.argv.find((a) => !a.startsWith('-') && !a.endsWith('agnhost'));
    if (sub === 'serve-hostname') {
      const port = Number(flag(ctx.argv, 'port') ?? 9376);
      await ctx.listen(port, (_req, res) => void res.end(ctx.hostname));
      ctx.log.stdout(`Serving on port ${port}.`);
      return;
    }
    if (sub !== 'netexec') return defaultBehaviour.start(ctx);
    const port = Number(flag(ctx.argv, 'http-port') ?? 8080);
    await ctx.listen(port, async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      switch (url.pathname) {
        case '/hostname':
          return void res.end(ctx.hostname);
        case '/echo':
          return void res.end(url.searchParams.get('msg') ?? '');
        case '/clientip':
          return void res.end(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
        case '/healthz':
          return void res.end('ok');
        case '/shell': {
          const chunks: Buffer[] = [];
          const out = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) });
          const code = await ctx.sh(url.searchParams.get('cmd') ?? '', { stdout: out, stderr: out });
          res.setHeader('Content-Type', 'application/json');
          return void res.end(JSON.stringify(code === 0 ? { output: Buffer.concat(chunks).toString() } : { error: `exit status ${code}`, output: Buffer.concat(chunks).toString() }));
        }
        default:
          return void res.end(`NOW: ${new Date(ctx.clock.now()).toISOString()}`);
      }
    });
    ctx.log.stdout(`Started HTTP server on port ${port}`);
  },
};

/** Other echo servers: answer every request with its method, path, headers and body, on the declared ports (8080 by default). */
export const echoBehaviour: Behaviour = {
  name: 'echo',
  async start(ctx) {
    const ports = ctx.ports.filter((p) => p.protocol === 'TCP').map((p) => p.containerPort);
    const fromEnv = Number(ctx.env.PORT);
    const list = ports.length ? ports : [fromEnv > 0 ? fromEnv : 8080];
    for (const port of list) {
      await ctx.listen(port, (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          const head = `Request served by ${ctx.hostname}\n\n${req.method} ${req.url} HTTP/${req.httpVersion}\n\n`;
          const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`).sort().join('\n');
          res.end(`${head}${headers}\n\n${Buffer.concat(chunks).toString()}`);
        });
      });
    }
    ctx.log.stdout(`Echo server listening on port ${list.join(', ')}.`);
  },
};
