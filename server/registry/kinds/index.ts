import { erase, type ResourceInfo } from '../resource.js';
import { configmaps } from './configmaps.js';
import { namespaces } from './namespaces.js';

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

/** Every kind kubemock serves; adding a kind is one file and one line here. */
export function buildResources(config: ClusterConfig = defaultClusterConfig): ResourceInfo[] {
  void config;
  return [erase(namespaces()), erase(configmaps())];
}
