import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Etcd3, IWatchResponse, Lease, Watcher } from 'etcd3';
import type { Logger } from 'pino';

export interface LeaderElectionOptions {
  client: Etcd3;
  /** The etcd key prefix of the store (/registry): the lock lives where kube keeps Leases. */
  prefix: string;
  logger: Logger;
  /** Runs when this process becomes the leader. */
  onStartedLeading(): void;
  /** Runs when leadership is lost or given up; controllers must stop before another leader acts. */
  onStoppedLeading(): void;
  /** Seconds a dead leader keeps the lock (the etcd lease TTL). */
  leaseSeconds?: number;
  name?: string;
  identity?: string;
}

export interface LeaderElection {
  readonly identity: string;
  isLeader(): boolean;
  /** Steps down (revoking the lease, so another instance takes over at once) and stops campaigning. */
  stop(): Promise<void>;
}

/**
 * Controller leader election on etcd, with kube's Lease semantics but etcd's primitives: the lock
 * is a key bound to an etcd lease that this process keeps alive. Whoever creates the key (a
 * transaction on create_revision == 0) leads; when the leader dies its lease expires, etcd deletes
 * the key, and the waiting instances, watching it, race to create it again. The value is a
 * Lease-shaped object under /registry/leases/kube-system/, where kube-controller-manager's is.
 */
export function startLeaderElection(opts: LeaderElectionOptions): LeaderElection {
  // kube's hostname_uuid, with the pid so that an operator can tell which local process leads.
  const identity = opts.identity ?? `${hostname()}_${process.pid}_${randomUUID()}`;
  const name = opts.name ?? 'kubemock-controller-manager';
  const ttl = opts.leaseSeconds ?? 4;
  const key = `${opts.prefix}/leases/kube-system/${name}`;
  const { client, logger } = opts;
  let stopped = false;
  let leading = false;
  let lease: Lease | undefined;
  let wake: (() => void) | undefined;
  let watcher: Watcher | undefined;

  const lockValue = (): string => {
    const iso = new Date().toISOString();
    const now = iso.replace(/Z$/, '000Z'); // MicroTime, as Lease spec times are
    return JSON.stringify({
      metadata: { name, namespace: 'kube-system', uid: randomUUID(), creationTimestamp: iso.replace(/\.\d+Z$/, 'Z') },
      spec: { holderIdentity: identity, leaseDurationSeconds: ttl, acquireTime: now, renewTime: now },
    });
  };

  /** Resolves on the first of: the lease is lost, the key is deleted or replaced, stop() is called. */
  const waitForChange = (fromRevision: number, currentLease: Lease): Promise<string> => new Promise((resolve) => {
    const done = (why: string): void => {
      wake = undefined;
      const w = watcher;
      watcher = undefined;
      void w?.cancel().catch(() => undefined);
      resolve(why);
    };
    wake = () => done('stopped');
    if (stopped) return done('stopped');
    currentLease.once('lost', () => done('lease lost'));
    watcher = client.watch().key(key).startRevision(String(fromRevision + 1)).watcher();
    watcher.on('data', (res: IWatchResponse) => {
      if (res.events.length) done('lock changed');
    });
    watcher.on('error', () => done('watch failed'));
  });

  const stepDown = (why: string): void => {
    if (!leading) return;
    leading = false;
    logger.info({ identity, why }, 'stopped leading');
    opts.onStoppedLeading();
  };

  const campaign = async (): Promise<void> => {
    const current = client.lease(ttl);
    lease = current;
    const leaseId = await current.grant();
    while (!stopped) {
      const res = await client.if(key, 'Create', '==', 0)
        .then(client.put(key).value(lockValue()).lease(leaseId))
        .else(client.get(key))
        .commit();
      if (res.succeeded) {
        leading = true;
        logger.info({ identity }, 'started leading');
        opts.onStartedLeading();
      }
      const why = await waitForChange(Number(res.header.revision), current);
      if (leading) {
        stepDown(why);
        break; // a new lease for the next term: the old one may be gone with the lock
      }
      if (why === 'lease lost' || why === 'watch failed') break;
    }
    lease = undefined;
    await current.revoke().catch(() => undefined);
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        await campaign();
      } catch (err) {
        stepDown('etcd error');
        logger.warn({ err }, 'leader election: etcd error, retrying');
      }
      if (!stopped) await new Promise((r) => setTimeout(r, 500));
    }
  };
  const running = loop();

  return {
    identity,
    isLeader: () => leading,
    async stop() {
      stopped = true;
      stepDown('shutting down');
      const l = lease;
      wake?.();
      await l?.revoke().catch(() => undefined);
      await running;
    },
  };
}
