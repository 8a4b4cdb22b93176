import { pino } from 'pino';
import { registryObjectClient } from '../../server/cli/object-client.js';
import type { GroupResourceName, ObjectClient } from '../../server/controllers/client.js';
import type { Controller, ControllerDeps } from '../../server/controllers/deps.js';
import type { EventRecorder } from '../../server/controllers/events.js';
import { rfc3339, FakeClock } from '../../server/meta/clock.js';
import type { KubeObject } from '../../server/meta/types.js';
import { Registry } from '../../server/registry/generic.js';
import { buildResources, defaultClusterConfig } from '../../server/registry/kinds/index.js';
import { patchApplier } from '../../server/registry/patching.js';
import { InformerFactory } from '../../server/store/informer.js';
import { MemoryStorage } from '../../server/store/memory.js';

export interface RecordedEvent {
  object: string;
  type: string;
  reason: string;
  message: string;
}

/**
 * An in-process API (real Registry, fake clock) with chosen controllers on top; the test plays the
 * kubelet. settle() waits until every controller queue is idle, without sleeping.
 */
export class ControllerHarness {
  readonly clock = new FakeClock();
  readonly registry: Registry;
  readonly informers: InformerFactory;
  readonly client: ObjectClient;
  readonly events: RecordedEvent[] = [];
  readonly controllers: Controller[] = [];
  readonly deps: ControllerDeps;

  constructor(featureGates: Record<string, boolean> = {}) {
    this.registry = new Registry({ storage: new MemoryStorage(), clock: this.clock, resources: buildResources({ ...defaultClusterConfig, featureGates }), patcher: patchApplier() });
    this.informers = new InformerFactory(this.registry);
    this.client = registryObjectClient(this.registry);
    const recorder: EventRecorder = {
      event: (obj, _ref, type, reason, message) => this.events.push({ object: obj.metadata.name ?? '', type, reason, message }),
    };
    this.deps = {
      informers: this.informers, client: this.client, clock: this.clock, logger: pino({ level: 'silent' }), events: recorder,
      config: { featureGates, dataDir: '', nodes: 0, podCidr: '10.244.0.0/16', podStartDelayMs: 0, podReadyDelayMs: 0, podStopDelayMs: 0, clusterDomain: 'cluster.local' },
    };
  }

  start(...starters: ((deps: ControllerDeps) => Controller)[]): this {
    for (const s of starters) this.controllers.push(s(this.deps));
    this.informers.start();
    return this;
  }

  stop(): void {
    for (const c of this.controllers) c.stop();
    this.informers.stop();
  }

  /** Until all queues are idle twice in a row across a macrotask turn (writes fan out as events). */
  async settle(): Promise<void> {
    for (let quiet = 0, i = 0; quiet < 2; i++) {
      if (i > 500) throw new Error('controllers did not settle');
      for (const c of this.controllers) await c.queue.whenIdle();
      await new Promise((r) => setImmediate(r));
      quiet = this.controllers.every((c) => c.queue.isIdle()) ? quiet + 1 : 0;
    }
  }

  async get<T extends KubeObject>(gr: GroupResourceName, name: string, ns = 'default'): Promise<T | undefined> {
    const obj = await this.client.get<T>(gr, ns, name);
    return obj && structuredClone(obj);
  }

  async list<T extends KubeObject>(gr: GroupResourceName, ns = 'default'): Promise<T[]> {
    return (await this.registry.list(this.registry.ref(gr.group, gr.resource), ns)).items as T[];
  }

  /** The kubelet's part: Running with the Ready condition as given, since now. */
  async setPodReady(name: string, ready = true, ns = 'default'): Promise<void> {
    const pod = structuredClone(await this.client.get(gr.pods, ns, name));
    if (!pod) throw new Error(`no pod ${name}`);
    pod.status = {
      ...(pod.status as object),
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: rfc3339(this.clock.now()) }],
    };
    await this.client.updateStatus(gr.pods, ns, pod);
  }

  /** Marks every Pending pod ready and settles, until no pod is Pending. */
  async readyAll(ns = 'default'): Promise<void> {
    for (let i = 0; i < 50; i++) {
      await this.settle();
      const pending = (await this.list<KubeObject & { status?: { phase?: string } }>(gr.pods, ns)).filter((p) => p.status?.phase === 'Pending');
      if (!pending.length) return;
      for (const p of pending) await this.setPodReady(p.metadata.name!, true, ns);
    }
    throw new Error('pods kept appearing');
  }
}

export const gr = {
  pods: { group: '', resource: 'pods' },
  claims: { group: '', resource: 'persistentvolumeclaims' },
  sets: { group: 'apps', resource: 'statefulsets' },
  revisions: { group: 'apps', resource: 'controllerrevisions' },
  configmaps: { group: '', resource: 'configmaps' },
} satisfies Record<string, GroupResourceName>;
