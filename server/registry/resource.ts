import type { KubeObject } from '../meta/types.js';
import type { FieldError } from '../meta/errors.js';
import type { Strategy, StrategyContext } from './strategy.js';

export interface ServedVersion {
  name: string;
  /** Text of the Warning header sent with every request to a deprecated version. */
  deprecationWarning?: string;
}

/** The autoscaling/v1 Scale subresource mapping, as a CRD's scale spec declares it. */
export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath: string;
}

/**
 * Everything the generic machinery needs to serve one kind: adding a kind is one file with
 * one of these (and its strategy) plus a line in kinds/index.ts.
 */
export interface ResourceInfo<T extends KubeObject = KubeObject> {
  group: string;
  /** Served versions, preferred first. Objects are stored in the first one's form. */
  versions: ServedVersion[];
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
  /** Subresources the generic registry serves; streaming ones (log, exec, ...) are added by the api layer. */
  statusSubresource?: boolean;
  scale?: ScaleSubresource;
  /** Subresources that write one part of the object under their own strategy (pods/ephemeralcontainers). */
  updateSubresources?: Record<string, UpdateSubresource<T>>;
  /** A `finalize` subresource that writes only spec.finalizers (Namespaces). */
  finalizeSubresource?: boolean;
  /** Storage shared with another resource (events.k8s.io events live with core events). */
  storagePrefix?: string;
  /** Conversion between this resource's wire form and the shared storage form. */
  conversion?: {
    toStorage(obj: KubeObject): KubeObject;
    fromStorage(obj: KubeObject): KubeObject;
  };
  strategy: Strategy<T>;
}

/**
 * The strategy of a subresource that may change one part of its object, as kube's
 * podEphemeralContainersStrategy: get, update and patch it; the rest of a write is put back.
 */
export interface UpdateSubresource<T extends KubeObject = KubeObject> {
  /** The word Go clients name it by (UpdateEphemeralContainers), for the gRPC methods. */
  goName: string;
  /** Puts back from `old` all this subresource may not change. */
  prepareForUpdate(obj: T, old: T, ctx: StrategyContext): void;
  validateUpdate(obj: T, old: T, ctx: StrategyContext): FieldError[];
}

export const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function storagePrefixOf(info: ResourceInfo): string {
  return info.storagePrefix ?? `${info.group || 'core'}/${info.resource}`;
}

/** A resource as addressed by one request: the info plus the version the client spoke. */
export interface ResourceRef<T extends KubeObject = KubeObject> {
  info: ResourceInfo<T>;
  version: string;
}

export function apiVersionOf(ref: ResourceRef): string {
  return groupVersion(ref.info.group, ref.version);
}

// A ResourceInfo of a specific kind is used through the generic KubeObject view.
export function erase<T extends KubeObject>(info: ResourceInfo<T>): ResourceInfo {
  return info as unknown as ResourceInfo;
}
