import type { TableColumnDefinition } from './table.js';
import type { FieldError } from '../meta/errors.js';
import type { FieldLabels } from '../meta/fields.js';
import type { KubeObject } from '../meta/types.js';

/** What a strategy may know about the request it serves. */
export interface StrategyContext {
  /** The API version the client spoke (e.g. "v1beta1"), for version-specific defaults. */
  version: string;
  now: number;
  dryRun: boolean;
}

/** Who made a request, as kube's authenticators name a user. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
}

/** A request without credentials, which kube's anonymous authenticator names so. */
export const anonymousUser: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptionsLike {
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  orphanDependents?: boolean;
}

/**
 * Per-kind behaviour, as kube-apiserver's RESTCreateStrategy/RESTUpdateStrategy: the generic
 * registry calls these hooks in a fixed order and owns everything else.
 */
export interface Strategy<T extends KubeObject = KubeObject> {
  /** API-version defaulting of an incoming object (SetDefaults_* of that version). */
  defaults?(obj: T, version: string): void;
  /** Clears what a create may not set (status) and fills system fields (ClusterIP, phase). */
  prepareForCreate?(obj: T, ctx: StrategyContext): void | Promise<void>;
  /** Runs after the generic update logic has restored status; may reset other fields. */
  prepareForUpdate?(obj: T, old: T, ctx: StrategyContext): void;
  validate?(obj: T, ctx: StrategyContext): FieldError[];
  validateUpdate?(obj: T, old: T, ctx: StrategyContext): FieldError[];
  warnings?(obj: T, ctx: StrategyContext): string[];
  /** Status subresource: by default spec and metadata changes are dropped; this may adjust further. */
  prepareForStatusUpdate?(obj: T, old: T, ctx: StrategyContext): void;
  validateStatusUpdate?(obj: T, old: T, ctx: StrategyContext): FieldError[];
  /** Name rules for metadata.name (DNS-1123 subdomain unless the kind says otherwise). */
  validateName?(name: string): string[];
  /** metadata.generation tracks spec changes for this kind. */
  tracksGeneration?: boolean;
  /** The kind keeps spec and status apart: main writes keep the old status, status writes keep the old rest. */
  hasStatus?: boolean;
  /** A create keeps the status it was sent (kube's node strategy: a kubelet registers with its addresses). */
  keepsStatusOnCreate?: boolean;
  allowCreateOnUpdate?: boolean;
  /** The value of each field a fieldSelector may name, beyond metadata.name and metadata.namespace. */
  selectableFields?(obj: T): Record<string, string>;
  /** The field labels of kube's conversion for this kind at this version; metadata's alone without one. */
  fieldLabels?(version: string): FieldLabels | undefined;
  /** Seconds of graceful deletion, or 0 to delete at once. */
  gracePeriodSeconds?(obj: T, options: DeleteOptionsLike): number;
  defaultGarbageCollectionPolicy?(version: string): PropagationPolicy;
  /**
   * Kind-specific deletion blockers beyond metadata.finalizers (a Namespace's spec.finalizers):
   * while true, a delete only marks the object and prepareForDelete may record that (phase Terminating).
   */
  blocksDeletion?(obj: T): boolean;
  prepareForDelete?(obj: T): void;
  /** Why this name may never be deleted (admission refuses it, 403), if it may not. */
  undeletable?(name: string): string | undefined;
  /** DELETE answers with the removed object instead of a Success Status (ReturnDeletedObject in its kube storage). */
  returnDeletedObject?: boolean;
  /** Called after the object is removed from storage (release allocated IPs, ...). */
  afterDelete?(obj: T): void;
  table: TableConvertor<T>;
  /**
   * A create-only kind kube answers from the request and never stores (the access and identity
   * reviews): the decoded body in, the answer out. Throws a StatusError for a body it refuses.
   */
  answerCreate?(obj: T, ctx: StrategyContext & { user: UserInfo }): KubeObject;
}

export interface TableConvertor<T extends KubeObject> {
  columns: TableColumnDefinition[];
  cells(obj: T, now: number): unknown[];
}
