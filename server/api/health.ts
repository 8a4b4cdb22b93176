import { Router, type Request, type Response } from 'express';
import { queryList } from './create-subresource.js';

/**
 * One named check, as kube-apiserver's healthz package runs them: resolving is healthy, throwing is
 * not. `readyzOnly` checks (shutdown) are not part of /healthz and /livez, as in kube.
 */
export interface HealthCheck {
  name: string;
  check(): Promise<void> | void;
  readyzOnly?: boolean;
}

/** kube's ping and log checks; the log check asks whether logging keeps up, which pino's sync writes always do. */
const alwaysOk: HealthCheck[] = [{ name: 'ping', check: () => undefined }, { name: 'log', check: () => undefined }];

const endpoints = ['healthz', 'livez', 'readyz'] as const;

/**
 * /healthz, /livez and /readyz with kube's text answers: "ok", or with ?verbose one "[+]name ok" line
 * per check and "<endpoint> check passed"; ?exclude=name skips a check; a failed one reads
 * "[-]name failed: reason withheld" and the whole answer is a 500. /<endpoint>/<name> runs one check.
 */
export function healthRouter(extra: HealthCheck[]): Router {
  const router = Router();
  for (const endpoint of endpoints) {
    const checks = [...alwaysOk, ...extra].filter((c) => endpoint === 'readyz' || !c.readyzOnly);
    router.get(`/${endpoint}`, (req, res) => void rootHealth(endpoint, checks, req, res));
    for (const c of checks) router.get(`/${endpoint}/${c.name}`, (_req, res) => void singleCheck(c, res));
  }
  return router;
}

async function rootHealth(endpoint: string, checks: HealthCheck[], req: Request, res: Response): Promise<void> {
  const excluded = new Set(queryList(req.query.exclude));
  const unknown = new Set(excluded);
  const lines: string[] = [];
  let failed = false;
  for (const c of checks) {
    if (excluded.has(c.name)) {
      unknown.delete(c.name);
      lines.push(`[+]${c.name} excluded: ok`);
      continue;
    }
    const err = await runCheck(c);
    // kube keeps the reason out of this public answer; /<endpoint>/<name> gives it
    lines.push(err === undefined ? `[+]${c.name} ok` : `[-]${c.name} failed: reason withheld`);
    failed ||= err !== undefined;
  }
  if (unknown.size) lines.push(`warn: some health checks cannot be excluded: no matches for ${[...unknown].sort().map((n) => `"${n}"`).join(',')}`);
  plainText(res);
  if (failed) return void res.status(500).send(`${lines.join('\n')}\n${endpoint} check failed\n`);
  if (!('verbose' in req.query)) return void res.send('ok');
  res.send(`${lines.join('\n')}\n${endpoint} check passed\n`);
}

async function singleCheck(c: HealthCheck, res: Response): Promise<void> {
  const err = await runCheck(c);
  plainText(res);
  if (err === undefined) return void res.send('ok');
  res.status(500).send(`internal server error: ${err}\n`);
}

async function runCheck(c: HealthCheck): Promise<string | undefined> {
  try {
    await c.check();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function plainText(res: Response): void {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}
