import type { Storage } from '../../store/storage.js';
import { erase, type ResourceInfo } from '../resource.js';
import { configmaps } from './configmaps.js';
import { controllerrevisions } from './controllerrevisions.js';
import { endpoints } from './endpoints.js';
import { endpointslices } from './endpointslices.js';
import { coreEvents, eventsV1 } from './events.js';
import { NodePortAllocator, ServiceIPAllocator } from './ipallocator.js';
import { namespaces } from './namespaces.js';
import { nodes } from './nodes.js';
import { persistentvolumeclaims } from './persistentvolumeclaims.js';
import { persistentvolumes } from './persistentvolumes.js';
import { poddisruptionbudgets } from './poddisruptionbudgets.js';
import { pods } from './pods.js';
import { selfSubjectAccessReviews, selfSubjectReviews, selfSubjectRulesReviews } from './reviews.js';
import { secrets } from './secrets.js';
import { serviceaccounts } from './serviceaccounts.js';
import { services } from './services.js';
import { statefulsets } from './statefulsets.js';
import { storageclasses } from './storageclasses.js';

/** Cluster-wide settings strategies depend on (allocation ranges, feature gates, served versions). */
export interface ClusterConfig {
  serviceCidr: string;
  featureGates: Record<string, boolean>;
  /** Serve apps/v1beta1 and apps/v1beta2 StatefulSets (a deliberate extension). */
  deprecatedApis: boolean;
  kubernetesMinor: number;
}

export const defaultClusterConfig: ClusterConfig = {
  serviceCidr: '127.96.0.0/16',
  featureGates: {},
  deprecatedApis: true,
  kubernetesMinor: 32,
};

/**
 * What strategies may read besides the object in hand. With storage, Service allocation syncs
 * with stored Services (a restart) and PVCs get the default StorageClass (admission); without,
 * both are skipped. The allocators are exposed so a composition root can share or inspect them.
 */
export interface KindDeps {
  storage?: Storage;
  serviceIPs?: ServiceIPAllocator;
  nodePorts?: NodePortAllocator;
}

/** Every kind kubemock serves; adding a kind is one file and one line here. */
export function buildResources(config: ClusterConfig = defaultClusterConfig, deps: KindDeps = {}): ResourceInfo[] {
  const ips = deps.serviceIPs ?? new ServiceIPAllocator(config.serviceCidr);
  const nodePorts = deps.nodePorts ?? new NodePortAllocator();
  return [
    erase(namespaces()),
    erase(services({ ips, nodePorts, storage: deps.storage })),
    erase(endpoints()),
    erase(pods()),
    erase(persistentvolumeclaims(deps.storage)),
    erase(persistentvolumes()),
    erase(nodes()),
    erase(coreEvents()),
    erase(configmaps()),
    erase(secrets()),
    erase(serviceaccounts()),
    erase(statefulsets({ deprecatedApis: config.deprecatedApis, maxUnavailableGate: !!config.featureGates.MaxUnavailableStatefulSet })),
    erase(controllerrevisions()),
    erase(storageclasses()),
    erase(endpointslices()),
    erase(eventsV1()),
    erase(poddisruptionbudgets()),
    erase(selfSubjectAccessReviews()),
    erase(selfSubjectRulesReviews()),
    erase(selfSubjectReviews(config.kubernetesMinor)),
  ];
}
