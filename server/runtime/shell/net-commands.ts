/**
 * Commands that reach the cluster network from inside a pod: hostname, curl, wget and busybox 1.28's
 * nslookup (its exact layout, as the kubernetes.io DNS debugging pages and the seed show it).
 */
import { request } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { lookupDns } from '../../dns/lookup-cli.js';
import { describeErrno, errnoOf } from '../container-fs.js';
import type { CommandContext, ShellCommand } from './shell.js';

const hostname: ShellCommand = (argv, ctx) => {
  const s = ctx.system;
  if (argv.includes('-i') || argv.includes('-I')) ctx.io.stdout.write(`${s.podIP}\n`);
  else if (argv.includes('-f')) ctx.io.stdout.write(`${s.fqdn}\n`);
  else if (argv.includes('-d')) ctx.io.stdout.write(`${s.fqdn.includes('.') ? s.fqdn.slice(s.fqdn.indexOf('.') + 1) : ''}\n`);
  else if (argv.includes('-s')) ctx.io.stdout.write(`${s.hostname.split('.')[0]}\n`);
  else ctx.io.stdout.write(`${s.hostname}\n`);
  return 0;
};

/** A name or address of the pod network to one IP: localhost is the pod itself. */
async function resolveHost(ctx: CommandContext, host: string): Promise<string | undefined> {
  if (host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === ctx.system.hostname || host === ctx.system.fqdn) return ctx.system.podIP;
  if (isIP(host)) return host;
  return (await ctx.system.resolveName(host))[0];
}

interface HttpResult {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Buffer;
}

async function httpGet(ctx: CommandContext, url: URL, method: string, headers: Record<string, string>, data: string | undefined, timeoutMs: number): Promise<HttpResult> {
  const ip = await resolveHost(ctx, url.hostname.replace(/^\[|\]$/g, ''));
  if (!ip) throw Object.assign(new Error(`Could not resolve host: ${url.hostname}`), { curlCode: 6, wget: `bad address '${url.hostname}'` });
  const port = Number(url.port || 80);
  let socket: Socket;
  try {
    socket = await ctx.system.dial(ip, port, timeoutMs);
  } catch (err) {
    const why = errnoOf(err) === 'ECONNREFUSED' ? 'Connection refused' : errnoOf(err) === 'ETIMEDOUT' ? 'Connection timed out' : describeErrno(errnoOf(err));
    throw Object.assign(new Error(`Failed to connect to ${url.hostname} port ${port}: ${why}`), { curlCode: 7, wget: `can't connect to remote host (${ip}): ${why}` });
  }
  return new Promise((resolve, reject) => {
    const req = request(
      { createConnection: () => socket, method, path: `${url.pathname}${url.search}`, headers: { Host: url.host, 'User-Agent': 'curl/8.5.0', Accept: '*/*', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const pairs: [string, string][] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: pairs, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      },
    );
    const onAbort = (): void => {
      req.destroy(Object.assign(new Error('Operation aborted'), { curlCode: 28 }));
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => ctx.signal.removeEventListener('abort', onAbort));
    req.on('error', (err) => reject(Object.assign(err, { curlCode: (err as { curlCode?: number }).curlCode ?? 56, wget: 'error getting response' })));
    if (data !== undefined) req.write(data);
    req.end();
  });
}

function urlOf(raw: string): URL | undefined {
  try {
    return new URL(/^[a-z]+:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    return undefined;
  }
}

const curl: ShellCommand = async (argv, ctx) => {
  let method: string | undefined;
  let data: string | undefined;
  let output: string | undefined;
  let include = false;
  let silent = false;
  let showErrors = false;
  let failOnError = false;
  let headOnly = false;
  let writeOut: string | undefined;
  let timeoutMs = 10_000;
  const headers: Record<string, string> = {};
  let target: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => argv[++i] ?? '';
    if (a === '-X' || a === '--request') method = next();
    else if (a === '-d' || a === '--data' || a === '--data-raw' || a === '--data-binary') data = next();
    else if (a === '-H' || a === '--header') {
      const h = next();
      const c = h.indexOf(':');
      if (c > 0) headers[h.slice(0, c).trim()] = h.slice(c + 1).trim();
    } else if (a === '-o' || a === '--output') output = next();
    else if (a === '-w' || a === '--write-out') writeOut = next();
    else if (a === '-m' || a === '--max-time' || a === '--connect-timeout') timeoutMs = Number(next()) * 1000;
    else if (a === '-I' || a === '--head') headOnly = true;
    else if (/^-[a-zA-Z]+$/.test(a)) {
      if (a.includes('s')) silent = true;
      if (a.includes('S')) showErrors = true;
      if (a.includes('i')) include = true;
      if (a.includes('f')) failOnError = true;
      if (a.includes('I')) headOnly = true;
    } else if (!a.startsWith('-')) target = a;
  }
  const url = target ? urlOf(target) : undefined;
  if (!url) {
    ctx.io.stderr.write(target ? `curl: (3) URL rejected: Bad hostname\n` : "curl: try 'curl --help' for more information\n");
    return target ? 3 : 2;
  }
  try {
    const res = await httpGet(ctx, url, method ?? (headOnly ? 'HEAD' : data !== undefined ? 'POST' : 'GET'), data !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded', ...headers } : headers, data, timeoutMs);
    if (failOnError && res.status >= 400) {
      if (!silent || showErrors) ctx.io.stderr.write(`curl: (22) The requested URL returned error: ${res.status}\n`);
      return 22;
    }
    const head = `HTTP/1.1 ${res.status} ${res.statusText}\r\n${res.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    const body = Buffer.concat([include || headOnly ? Buffer.from(head) : Buffer.alloc(0), headOnly ? Buffer.alloc(0) : res.body]);
    if (output) writeFileSync(ctx.system.fs.writable(output, ctx.cwd).hostPath, body);
    else ctx.io.stdout.write(body);
    if (writeOut) ctx.io.stdout.write(writeOut.replace(/%\{http_code\}/g, String(res.status)).replace(/\\n/g, '\n'));
    return 0;
  } catch (err) {
    const code = (err as { curlCode?: number }).curlCode ?? 1;
    if (!silent || showErrors) ctx.io.stderr.write(`curl: (${code}) ${(err as Error).message}\n`);
    return code;
  }
};

/** busybox wget: -O FILE (- for stdout), -q, -T seconds, --spider. */
const wget: ShellCommand = async (argv, ctx) => {
  let output: string | undefined;
  let quiet = false;
  let spider = false;
  let timeoutMs = 10_000;
  let target: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-O') output = argv[++i];
    else if (a.startsWith('-O')) output = a.slice(2);
    else if (a === '-T') timeoutMs = Number(argv[++i]) * 1000;
    else if (a === '--spider') spider = true;
    else if (/^-[a-zA-Z]/.test(a) && !a.startsWith('--')) {
      // a cluster such as -qO- or -qO FILE: the first O takes the rest of the word, or the next word
      const o = a.indexOf('O');
      if (a.slice(1, o < 0 ? undefined : o).includes('q')) quiet = true;
      if (o >= 0) output = o + 1 < a.length ? a.slice(o + 1) : argv[++i];
    } else if (!a.startsWith('-')) target = a;
  }
  const url = target ? urlOf(target) : undefined;
  if (!url) {
    ctx.io.stderr.write('BusyBox v1.28.4 multi-call binary.\n\nUsage: wget [-c|--continue] [-s|--spider] [-q|--quiet] [-O|--output-document FILE] URL...\n');
    return 1;
  }
  const file = output ?? (url.pathname.split('/').pop() || 'index.html');
  if (!quiet) ctx.io.stderr.write(`Connecting to ${url.host} (${url.host})\n`);
  try {
    const res = await httpGet(ctx, url, spider ? 'HEAD' : 'GET', {}, undefined, timeoutMs);
    if (res.status >= 400) {
      ctx.io.stderr.write(`wget: server returned error: HTTP/1.1 ${res.status} ${res.statusText}\n`);
      return 1;
    }
    if (spider) return 0;
    if (file === '-') ctx.io.stdout.write(res.body);
    else {
      writeFileSync(ctx.system.fs.writable(file, ctx.cwd).hostPath, res.body);
      if (!quiet) ctx.io.stderr.write(`saving to '${file}'\n${file}             100% |********************************| ${res.body.length}  0:00:00 ETA\n'${file}' saved\n`);
    }
    return 0;
  } catch (err) {
    ctx.io.stderr.write(`wget: ${(err as { wget?: string }).wget ?? (err as Error).message}\n`);
    return 1;
  }
};

/** The first PTR name of an address, or undefined. */
async function reverseName(ctx: CommandContext, ip: string): Promise<string | undefined> {
  try {
    const r = await lookupDns({ server: ctx.system.dns.host, port: ctx.system.dns.port, name: ip, type: 'PTR', clock: ctx.system.clock, timeoutMs: 2000 });
    const ptr = r.answers.find((a) => a.type === 'PTR');
    return ptr ? String((ptr as { data: unknown }).data).replace(/\.$/, '') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * busybox 1.28.4 nslookup: the server block, a blank line, then `Name:` and every address with its
 * reverse name ("%-10s %s" headers, "Address N: ip name"). Unresolvable: "nslookup: can't resolve 'x'".
 */
export const nslookup: ShellCommand = async (argv, ctx) => {
  const name = argv.slice(1).find((a) => !a.startsWith('-'));
  if (!name) {
    ctx.io.stderr.write('BusyBox v1.28.4 (2018-05-22 17:00:17 UTC) multi-call binary.\n\nUsage: nslookup [HOST] [SERVER]\n\nQuery the nameserver for the IP address of the given HOST\noptionally using a specified DNS server\n');
    return 1;
  }
  const dns = ctx.system.dns;
  const block = async (header: string, host: string, ips: string[]): Promise<string> => {
    let text = `${header.padEnd(10)} ${host}\n`;
    let n = 0;
    for (const ip of ips) {
      const rev = await reverseName(ctx, ip);
      text += `Address ${++n}: ${ip}${rev ? ` ${rev}` : ''}\n`;
    }
    return text;
  };
  ctx.io.stdout.write(`${await block('Server:', dns.address, [dns.address])}\n`);
  let ips: string[];
  try {
    ips = isIP(name) ? [name] : await ctx.system.resolveName(name);
  } catch {
    ips = [];
  }
  if (!ips.length) {
    ctx.io.stderr.write(`nslookup: can't resolve '${name}'\n`);
    return 1;
  }
  ctx.io.stdout.write(await block('Name:', name, ips));
  return 0;
};

export const netCommands: Record<string, ShellCommand> = { hostname, curl, wget, nslookup };
