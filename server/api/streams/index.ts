import type { Request, Response } from 'express';
import { badRequest, methodNotAllowed } from '../../meta/errors.js';
import type { ResourceTarget } from '../paths.js';
import type { SubresourceHandler } from '../server.js';
import { serveLogs } from './logs.js';
import type { PodStreamDeps } from './pod-target.js';
import { preparePortForward } from './portforward.js';
import { proxyHandler } from './proxy.js';
import { prepareRemoteCommand, type RemoteCommandKind } from './remotecommand.js';

export type { PodStreamDeps } from './pod-target.js';
export { createUpgradeHandler, type UpgradeHandler } from './upgrade.js';

function queryOf(req: Request): URLSearchParams {
  return new URL(req.originalUrl, 'http://kubemock').searchParams;
}

/**
 * exec/attach/portforward only work as upgrades, which arrive through createUpgradeHandler. A plain request still
 * gets the pod and option checks first (404, 400) and then kube's "Upgrade request required".
 */
function upgradeOnly(deps: PodStreamDeps, action: RemoteCommandKind | 'portforward'): SubresourceHandler {
  return async (req: Request, _res: Response, target: ResourceTarget) => {
    if (action === 'portforward') await preparePortForward(deps, target.namespace, target.name!);
    else await prepareRemoteCommand(deps, action, target.namespace, target.name!, queryOf(req));
    throw badRequest('Upgrade request required');
  };
}

/** The pods/{exec,attach,log,portforward,proxy} and services/proxy subresources for createApiApp's `subresources` option. */
export function createPodStreamHandlers(deps: PodStreamDeps): Record<string, SubresourceHandler> {
  return {
    'pods/exec': upgradeOnly(deps, 'exec'),
    'pods/attach': upgradeOnly(deps, 'attach'),
    'pods/portforward': upgradeOnly(deps, 'portforward'),
    'pods/proxy': proxyHandler(deps, 'pods'),
    'services/proxy': proxyHandler(deps, 'services'),
    'pods/log': async (req, res, target) => {
      if (req.method !== 'GET') throw methodNotAllowed();
      await serveLogs(deps, req, res, target.namespace, target.name!);
    },
  };
}
