import express, { type Request, type Response, type Router } from 'express';
import type { FailureInjection } from './index.js';
import type { NodePool } from './node-pool.js';

/**
 * Failure injection over HTTP, mounted at the server root:
 *   GET  /kubemock/v1/nodes                                   simulated nodes and whether they run
 *   POST /kubemock/v1/nodes/:node/stop | start | delete | crash   (crash = stop + delete the Node object)
 *   POST /kubemock/v1/namespaces/:ns/pods/:pod/crash          body {container?, exitCode?, loop?}
 *   POST /kubemock/v1/namespaces/:ns/pods/:pod/unready | ready
 *   POST /kubemock/v1/namespaces/:ns/pods/:pod/recover        ends a crash loop (next start succeeds)
 * Answers are JSON: {ok: true, ...} or {ok: false, message} with 400/404.
 */
export function createAdminRouter(failures: FailureInjection, pool: NodePool): Router {
  const router = express.Router();
  router.use('/kubemock/v1', express.json({ limit: '64kb' }));

  const run = (fn: (req: Request) => Promise<Record<string, unknown> | void>) => async (req: Request, res: Response): Promise<void> => {
    try {
      res.json({ ok: true, ...(await fn(req)) });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      res.status(/not (a simulated|running)|no container/.test(message) ? 404 : 400).json({ ok: false, message });
    }
  };
  const param = (req: Request, name: string): string => String(req.params[name]);

  router.get('/kubemock/v1/nodes', (_req, res) => {
    res.json({ nodes: pool.list().map((n) => ({ name: n.spec.name, running: n.running, internalIP: n.spec.internalIP, podCIDR: n.spec.podCidr })) });
  });
  const nodeActions: Record<string, (name: string) => Promise<void>> = {
    stop: (n) => failures.stopNode(n),
    start: (n) => failures.startNode(n),
    delete: (n) => failures.deleteNode(n),
    crash: (n) => failures.crashNode(n),
  };
  router.post('/kubemock/v1/nodes/:node/:action', run(async (req) => {
    const action = nodeActions[param(req, 'action')];
    if (!action) throw new Error(`unknown node action "${param(req, 'action')}": use stop, start, delete or crash`);
    await action(param(req, 'node'));
    return { node: param(req, 'node'), action: param(req, 'action') };
  }));
  router.post('/kubemock/v1/namespaces/:ns/pods/:pod/crash', run(async (req) => {
    const body = (req.body ?? {}) as { container?: unknown; exitCode?: unknown; loop?: unknown };
    const containers = await failures.crashContainer(param(req, 'ns'), param(req, 'pod'),
      typeof body.container === 'string' ? body.container : undefined,
      { exitCode: typeof body.exitCode === 'number' ? body.exitCode : undefined, loop: body.loop === true });
    return { containers };
  }));
  router.post('/kubemock/v1/namespaces/:ns/pods/:pod/recover', run(async (req) => {
    await failures.recoverPod(param(req, 'ns'), param(req, 'pod'));
  }));
  for (const readiness of ['ready', 'unready']) {
    router.post(`/kubemock/v1/namespaces/:ns/pods/:pod/${readiness}`, run(async (req) => {
      await failures.setPodReady(param(req, 'ns'), param(req, 'pod'), readiness === 'ready');
    }));
  }
  return router;
}
