import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What the HTTPS server needs, and the CA a kubeconfig must carry for clients to verify it. */
export interface ServingTls {
  cert: string;
  key: string;
  /** PEM of the certificate clients should trust; undefined when the system roots already do. */
  caPem?: string;
}

/** The kubeconfig's certificate-authority-data. */
export function caData(tls: ServingTls): string | undefined {
  return tls.caPem ? Buffer.from(tls.caPem).toString('base64') : undefined;
}

function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
}

/**
 * --tls-cert/--tls-key. The kubeconfig's CA is the file's last certificate when it is self-issued
 * (a self-signed certificate, or a chain that ends in its root); otherwise the system roots decide.
 */
export async function loadTlsFiles(certFile: string, keyFile: string): Promise<ServingTls> {
  const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  const blocks = pemBlocks(cert);
  if (!blocks.length) throw new Error(`${certFile}: no PEM certificate`);
  const last = new X509Certificate(blocks[blocks.length - 1]);
  return { cert, key, caPem: last.checkIssued(last) ? blocks[blocks.length - 1] : undefined };
}

/** The names a server bound to `host` is reached by: its SANs. */
export function servingNames(host: string): string[] {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  if (host === '0.0.0.0' || host === '::' || host === '') {
    names.add(hostname());
    for (const addrs of Object.values(networkInterfaces())) for (const a of addrs ?? []) names.add(a.address.replace(/%.*$/, ''));
  } else names.add(host);
  return [...names];
}

function covers(cert: X509Certificate, names: string[]): boolean {
  return names.every((n) => (isIP(n) ? cert.checkIP(n) : cert.checkHost(n)) !== undefined);
}

/**
 * A CA and a server certificate signed by it, for --tls-self-signed. Node can make keys but not
 * certificates, so openssl does the signing. With a directory (--data-dir) the pair is kept and
 * reused while it is valid for these names, so kubeconfigs written earlier keep working.
 */
export async function selfSignedTls(names: string[], keepIn?: string): Promise<ServingTls> {
  if (keepIn) {
    const kept = await readKept(keepIn, names);
    if (kept) return kept;
  }
  const dir = await mkdtemp(join(tmpdir(), 'kubemock-tls-'));
  try {
    const p = (f: string): string => join(dir, f);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await run('openssl', ['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '3650',
      '-subj', `/CN=kubemock-ca@${Math.floor(Date.now() / 1000)}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    await run('openssl', ['req', ...ec, '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=kubemock']);
    const san = names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    await writeFile(p('ext.cnf'), [
      `subjectAltName=${san}`, 'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth', '',
    ].join('\n'));
    await run('openssl', ['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial',
      '-out', p('server.crt'), '-days', '365', '-extfile', p('ext.cnf')]);
    const tls: ServingTls = {
      cert: await readFile(p('server.crt'), 'utf8'), key: await readFile(p('server.key'), 'utf8'), caPem: await readFile(p('ca.crt'), 'utf8'),
    };
    if (keepIn) await keep(keepIn, tls);
    return tls;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The CA bundle the cluster publishes in every namespace's kube-root-ca.crt: the serving CA when there is
 * one, else the serving chain's last certificate, else (plain HTTP) a CA of the cluster's own, made with
 * openssl and kept with --data-dir so the published bundle stays the same across restarts.
 */
export async function clusterCABundle(tls: ServingTls | undefined, keepIn?: string): Promise<string> {
  if (tls) return tls.caPem ?? pemBlocks(tls.cert).at(-1) ?? tls.cert;
  const file = keepIn && join(keepIn, 'cluster-ca.crt');
  if (file) {
    const kept = await readFile(file, 'utf8').catch(() => undefined);
    if (kept && Date.parse(new X509Certificate(kept).validTo) > Date.now() + 24 * 3600_000) return kept;
  }
  const dir = await mkdtemp(join(tmpdir(), 'kubemock-ca-'));
  try {
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'ca.key'),
      '-out', join(dir, 'ca.crt'), '-days', '3650', '-subj', `/CN=kubemock-ca@${Math.floor(Date.now() / 1000)}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    const pem = await readFile(join(dir, 'ca.crt'), 'utf8');
    if (file) {
      await mkdir(keepIn, { recursive: true, mode: 0o700 });
      await writeFile(file, pem);
    }
    return pem;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readKept(dir: string, names: string[]): Promise<ServingTls | undefined> {
  try {
    const [cert, key, caPem] = await Promise.all(['server.crt', 'server.key', 'ca.crt'].map((f) => readFile(join(dir, f), 'utf8')));
    const x = new X509Certificate(cert);
    const stillValid = Date.parse(x.validTo) > Date.now() + 24 * 3600_000;
    return stillValid && covers(x, names) ? { cert, key, caPem } : undefined;
  } catch {
    return undefined;
  }
}

async function keep(dir: string, tls: ServingTls): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, 'server.crt'), tls.cert);
  await writeFile(join(dir, 'server.key'), tls.key, { mode: 0o600 });
  await writeFile(join(dir, 'ca.crt'), tls.caPem ?? '');
}
