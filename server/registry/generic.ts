import type { Storage, ObjectKey, StorageEvent, StorageWatch } from '../store/storage.js';
import { AlreadyExistsError, ConflictError, NotFoundError, StoreFullError, TooOldError } from '../store/storage.js';
import type { Clock, Timer } from '../meta/clock.js';
import { rfc3339 } from '../meta/clock.js';
import {
  alreadyExists, badRequest, conflict, expired, goStringSlice, internalError, invalid, notFound, forbidden, StatusError, timeout,
  type FieldError, type GroupResource,
} from '../meta/errors.js';
import { checkFieldLabels, fieldsMatch, parseFieldSelector, type FieldSelector } from '../meta/fields.js';
import { ListSnapshots } from './list-snapshots.js';
import { matches, parseLabelSelector, type Selector } from '../meta/labels.js';
import { newUid, randomSuffix } from '../meta/names.js';
import { isPlainObject, type KubeObject, type ObjectMeta } from '../meta/types.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';
import { apiVersionOf, groupVersion, storagePrefixOf, type ResourceInfo, type ResourceRef } from './resource.js';
import { anonymousUser, type DeleteOptionsLike, type PropagationPolicy, type StrategyContext, type UserInfo } from './strategy.js';
import { deepEqual } from './equality.js';
import { deepCopy } from '../meta/deep-copy.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** A subresource a write goes through: status, finalize, or one the kind declares (ResourceInfo.updateSubresources). */
export type WriteSubresource = string;

/** Per-request facts the generic pipeline needs; warnings collect into the response's Warning headers. */
export interface RequestContext {
  dryRun?: boolean;
  /** The patch applier already recorded managedFields for this write. */
  managedFieldsDone?: boolean;
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  warnings?: string[];
  /** Fields the wire decoder found twice in the body (only JSON text knows that). */
  duplicateFields?: string[];
  /** Who asks; anonymous when unknown. */
  user?: UserInfo;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListPage {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  /** Replay the current state first, whatever the resourceVersion (WatchList). */
  sendInitialEvents?: boolean;
  /** BOOKMARKs: the end of the initial events, and one every bookmarkIntervalMs while the store moves on. */
  allowWatchBookmarks?: boolean;
  bookmarkIntervalMs?: number;
}

export type RegistryWatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject }
  | { type: 'BOOKMARK'; resourceVersion: string; initialEventsEnd?: boolean }
  | { type: 'ERROR'; error: StatusError };

export interface DeleteOptions extends DeleteOptionsLike {
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** rest.BeforeDelete's precondition check; its conflict names the kind where other conflicts name the resource. */
export function checkDeletePreconditions(ref: ResourceRef, current: KubeObject, pre: DeleteOptions['preconditions']): void {
  const byKind = { group: ref.info.group, resource: ref.info.kind };
  const name = current.metadata.name ?? '';
  if (pre?.uid && pre.uid !== current.metadata.uid) {
    throw conflict(byKind, name, `the UID in the precondition (${pre.uid}) does not match the UID in record (${current.metadata.uid}). The object might have been deleted and then recreated`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(byKind, name, `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${current.metadata.resourceVersion}). The object might have been modified`);
  }
}

export interface DeleteResult {
  /** The object, still present with a deletionTimestamp, or as it was when removed. */
  object: KubeObject;
  /** True when the object is gone from storage. */
  removed: boolean;
}

/** What decoding a body found: the fields it dropped, and the first value its type cannot hold. */
export interface DecodedFields {
  unknownFields: string[];
  typeError?: string;
}

/**
 * Drops fields a kind's schema does not define and checks each value's JSON type against the schema;
 * injected so that the generic registry does not depend on where schemas come from.
 */
export interface BodyDecoder {
  decodeFields(info: ResourceInfo, version: string, obj: KubeObject): DecodedFields;
}

/** What a patch needs; the applier is injected so the pipeline does not depend on patch formats. */
export interface PatchRequest {
  ref: ResourceRef;
  /** The request's media type, e.g. application/strategic-merge-patch+json. */
  patchType: string;
  /** The current object in the client's version (kind and apiVersion set), or undefined for apply-create. */
  current: KubeObject | undefined;
  body: unknown;
  manager: string;
  force: boolean;
  now: number;
  subresource?: string;
  fieldValidation?: FieldValidation;
}

export type PatchApplier = (req: PatchRequest) => KubeObject;

/** Records which manager owns which fields after a create or update (server-side apply's managedFields). */
export type FieldTracker = (input: { ref: ResourceRef; old: KubeObject | undefined; next: KubeObject; manager: string; now: number; subresource?: string }) => KubeObject;

export const applyPatchType = 'application/apply-patch+yaml';

export interface RegistryOptions {
  storage: Storage;
  clock: Clock;
  resources: ResourceInfo[];
  decoder?: BodyDecoder;
  patcher?: PatchApplier;
  fieldTracker?: FieldTracker;
}

const systemNamespaces = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/**
 * The one CRUD pipeline every kind goes through, after kube-apiserver's generic registry Store:
 * strategies supply hooks, this owns their order, optimistic concurrency, graceful deletion,
 * finalizers, the status subresource and the garbage-collection finalizers.
 */
export class Registry {
  readonly storage: Storage;
  readonly clock: Clock;
  private readonly decoder?: BodyDecoder;
  private readonly patcher?: PatchApplier;
  private readonly fieldTracker?: FieldTracker;
  private readonly byGroupResource = new Map<string, ResourceInfo>();
  private readonly snapshots: ListSnapshots;
  readonly resources: ResourceInfo[];

  constructor(opts: RegistryOptions) {
    this.storage = opts.storage;
    this.clock = opts.clock;
    this.snapshots = new ListSnapshots(opts.clock);
    this.decoder = opts.decoder;
    this.patcher = opts.patcher;
    this.fieldTracker = opts.fieldTracker;
    this.resources = opts.resources;
    for (const r of opts.resources) {
      if (!r.strategy.table) throw new Error(`resource ${r.resource}.${r.group} has no table convertor`);
      this.byGroupResource.set(`${r.group}/${r.resource}`, r);
    }
  }

  /** The injected patch applier, for subresources (scale) that patch a view rather than the object. */
  get patchWith(): PatchApplier {
    if (!this.patcher) throw badRequest('patching is not supported by this server');
    return this.patcher;
  }

  /** Finds a resource by group, version and plural name, or undefined when not served. */
  lookup(group: string, version: string, resource: string): ResourceRef | undefined {
    const info = this.byGroupResource.get(`${group}/${resource}`);
    if (!info || !info.versions.some((v) => v.name === version)) return undefined;
    return { info, version };
  }

  /** The preferred version of a resource, for in-process clients that do not care. */
  ref(group: string, resource: string): ResourceRef {
    const info = this.byGroupResource.get(`${group}/${resource}`);
    if (!info) throw new Error(`unknown resource ${resource}.${group}`);
    return { info, version: info.versions[0].name };
  }

  /** Adds apiVersion and kind (and converts) for the version the client asked for. */
  present(ref: ResourceRef, stored: KubeObject): KubeObject {
    const obj = ref.info.conversion ? ref.info.conversion.fromStorage(stored) : stored;
    return { kind: ref.info.kind, apiVersion: apiVersionOf(ref), ...obj };
  }

  async get(ref: ResourceRef, namespace: string, name: string): Promise<KubeObject> {
    const obj = await this.storage.get(this.key(ref, namespace, name));
    if (!obj) throw notFound(gr(ref), name);
    return obj;
  }

  async list(ref: ResourceRef, namespace: string | undefined, opts: ListOptions = {}): Promise<ListPage> {
    const labelSel = parseLabelSelector(opts.labelSelector);
    const fieldSel = this.parseFields(ref, opts.fieldSelector);
    this.checkListResourceVersion(opts);
    const ns = ref.info.namespaced ? namespace : undefined;
    const prefix = storagePrefixOf(ref.info);
    const snapshotKey = (rv: string): string => `${rv}\0${prefix}\0${ns ?? ''}`;
    const token = opts.continue ? decodeContinue(opts.continue) : undefined;
    let all = token && token.rv !== '-1' ? this.snapshots.get(snapshotKey(token.rv)) : undefined;
    let rv = token?.rv;
    if (!all) {
      // kube's answer when etcd has compacted the first page's revision away; on etcd, where another
      // instance may have served the first page, the pages go on from the current state instead
      if (token && token.rv !== '-1' && this.listSync) throw continueTooOld(token.start);
      const result = await this.storage.list(prefix, ns);
      all = result.items;
      if (!token || token.rv === '-1') rv = String(result.resourceVersion);
    }
    let items = sortedByKey(all.filter((o) => this.matchesSelectors(ref, o, labelSel, fieldSel)));
    if (token) items = items.filter((o) => sortKey(o) > token.start);
    const page: ListPage = { items, resourceVersion: rv! };
    // resourceVersion=0 is served whole from the watch cache, whatever the limit (computeListLimit)
    if (opts.limit && opts.limit > 0 && opts.resourceVersion !== '0' && items.length > opts.limit) {
      page.items = items.slice(0, opts.limit);
      page.continue = encodeContinue({ rv: rv!, start: sortKey(page.items[page.items.length - 1]) });
      if (!opts.labelSelector && !opts.fieldSelector) page.remainingItemCount = items.length - opts.limit;
      this.snapshots.keep(snapshotKey(rv!), all);
    }
    return page;
  }

  /**
   * The synchronous list of the memory and --data-dir stores, whose every write goes through this
   * process; undefined for etcd, where another instance may be ahead.
   */
  private get listSync(): ((prefix: string, namespace?: string) => KubeObject[]) | undefined {
    const storage = this.storage as Storage & { listSync?(prefix: string, namespace?: string): KubeObject[] };
    return storage.listSync?.bind(storage);
  }

  async create(ref: ResourceRef, namespace: string, body: unknown, rc: RequestContext = {}): Promise<KubeObject> {
    const obj = this.decode(ref, body, rc);
    const answer = ref.info.strategy.answerCreate;
    if (answer) return answer(obj, { ...this.ctx(ref, rc), user: rc.user ?? anonymousUser });
    const sentVersion = obj.metadata.resourceVersion;
    const ctx = this.ctx(ref, rc);
    const info = ref.info;
    if (info.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = namespace;
    } else {
      delete obj.metadata.namespace;
    }
    info.strategy.defaults?.(obj, ref.version);
    if (info.namespaced) await this.checkNamespaceAcceptsCreate(ref, namespace, obj.metadata.name ?? '');
    // As kube's create handler: fields are owned as the client sent them, defaulted; what admission and
    // the strategy add next (a service account volume, a cluster IP, a storage class) is nobody's.
    const tracked = this.track(ref, undefined, obj, rc);
    const generateName = obj.metadata.name ? undefined : obj.metadata.generateName;
    this.fillCreateMetadata(obj, ctx, !!info.strategy.tracksGeneration);
    if ((info.statusSubresource || info.strategy.hasStatus) && !info.strategy.keepsStatusOnCreate) delete obj.status;
    await info.strategy.prepareForCreate?.(obj, ctx);
    const errors: FieldError[] = [
      ...validateObjectMeta(obj.metadata, info, info.strategy.validateName),
      ...(info.strategy.validate?.(obj, ctx) ?? []),
    ];
    if (errors.length) throw invalid(gk(ref), obj.metadata.name ?? '', errors);
    for (const w of info.strategy.warnings?.(obj, ctx) ?? []) rc.warnings?.push(w);
    if (tracked !== obj) Object.defineProperty(obj.metadata, 'managedFields', { value: tracked.metadata.managedFields, enumerable: true, writable: true, configurable: true });
    // etcd3's store.Create refuses it (ErrResourceVersionSetOnCreate), except on a dry run. kube-apiserver
    // answers that plain error as a 500; kubemock never answers bad input with a 5xx: its words, as a 400.
    if (!rc.dryRun && sentVersion && sentVersion !== '0') throw badRequest('resourceVersion should not be set on objects to be created');
    for (let attempt = 0; ; attempt++) {
      if (generateName && attempt > 0) obj.metadata.name = generatedName(generateName);
      const key = this.key(ref, namespace, obj.metadata.name!);
      if (rc.dryRun) {
        if (await this.storage.get(key)) throw alreadyExists(gr(ref), obj.metadata.name!);
        return obj;
      }
      try {
        return await this.storage.create(key, obj);
      } catch (e) {
        if (e instanceof StoreFullError) throw internalError(e);
        if (!(e instanceof AlreadyExistsError)) throw e;
        if (!generateName || attempt >= 7) throw alreadyExists(gr(ref), obj.metadata.name!);
      }
    }
  }

  /**
   * PUT as the update handler serves it: update(), or for a kind whose strategy allows it
   * (services, endpoints, events), a create when nothing has the name yet (201).
   */
  async replace(ref: ResourceRef, namespace: string, name: string, body: unknown, rc: RequestContext = {}, subresource?: WriteSubresource): Promise<{ object: KubeObject; created: boolean }> {
    if (!subresource && ref.info.strategy.allowCreateOnUpdate && isPlainObject(body)) {
      const { resourceVersion: _unused, ...metadata } = isPlainObject(body.metadata) ? body.metadata : {};
      checkName(ref, metadata, name, namespace);
      const object = await this.createInstead(ref, namespace, name, { ...body, metadata }, rc);
      if (object) return { object, created: true };
    }
    return { object: await this.update(ref, namespace, name, body, rc, subresource), created: false };
  }

  /**
   * A write that finds nothing under its name creates instead (AllowCreateOnUpdate, apply). Its
   * resourceVersion means nothing then, so the caller leaves it out. Undefined when the object
   * exists, or appeared meanwhile: the caller updates it.
   */
  private async createInstead(ref: ResourceRef, namespace: string, name: string, body: unknown, rc: RequestContext): Promise<KubeObject | undefined> {
    if (await this.storage.get(this.key(ref, namespace, name))) return undefined;
    try {
      return await this.create(ref, namespace, body, rc);
    } catch (e) {
      if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
      return undefined;
    }
  }

  /**
   * PUT: replaces the object. With subresource "status" only status changes are kept; otherwise
   * status is kept from storage. Without metadata.resourceVersion the update is unconditional.
   */
  async update(ref: ResourceRef, namespace: string, name: string, body: unknown, rc: RequestContext = {}, subresource?: WriteSubresource): Promise<KubeObject> {
    const obj = this.decode(ref, body, rc);
    checkName(ref, obj.metadata, name, namespace);
    // "0" parses to 0, which kube takes as no precondition
    const requiredRv = obj.metadata.resourceVersion && obj.metadata.resourceVersion !== '0' ? obj.metadata.resourceVersion : undefined;
    return this.guaranteedUpdate(ref, namespace, name, requiredRv, rc, (current) => {
      // shallow: obj stays as decoded for a retry, and guaranteedUpdate copies what this returns
      const next = { ...obj, metadata: { ...obj.metadata } };
      if (!next.metadata.managedFields && current.metadata.managedFields) next.metadata.managedFields = current.metadata.managedFields;
      return this.track(ref, current, next, rc, subresource);
    }, subresource);
  }

  /**
   * The read-modify-write loop (GuaranteedUpdate): tryUpdate builds the new object from the
   * current one; on a storage conflict it is retried unless the caller pinned a resourceVersion.
   */
  async guaranteedUpdate(
    ref: ResourceRef, namespace: string, name: string, requiredRv: string | undefined, rc: RequestContext,
    tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>, subresource?: WriteSubresource,
  ): Promise<KubeObject> {
    const key = this.key(ref, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const current = await this.storage.get(key);
      if (!current) throw notFound(gr(ref), name);
      if (requiredRv !== undefined && requiredRv !== current.metadata.resourceVersion) throw conflict(gr(ref), name);
      const next = copyForStorage(await tryUpdate(current));
      const prepared = this.prepareUpdate(ref, next, current, rc, subresource);
      if (rc.dryRun) return prepared;
      if (deepEqual(stripVersion(prepared), stripVersion(current))) return current; // no-op writes do not bump resourceVersion
      try {
        if (this.finishesDeletion(ref, prepared)) {
          const removed = await this.storage.delete(key, current.metadata.resourceVersion);
          ref.info.strategy.afterDelete?.(removed);
          // deleteWithoutFinalizers: the writer gets the object it asked for, without the finalizer
          return prepared;
        }
        return await this.storage.update(key, prepared, current.metadata.resourceVersion!);
      } catch (e) {
        if (e instanceof NotFoundError) throw notFound(gr(ref), name);
        if (!(e instanceof ConflictError)) throw e;
        if (requiredRv !== undefined || attempt > 20) throw conflict(gr(ref), name);
      }
    }
  }

  /**
   * PATCH: applies the patch to the current object and stores the result through the update
   * pipeline. A resourceVersion the patch sets is a precondition. Server-side apply creates the
   * object when it does not exist.
   */
  async patch(ref: ResourceRef, namespace: string, name: string, patchType: string, body: unknown,
    rc: RequestContext & { force?: boolean } = {}, subresource?: WriteSubresource): Promise<{ object: KubeObject; created: boolean }> {
    const patcher = this.patcher;
    if (!patcher) throw badRequest('patching is not supported by this server');
    const manager = rc.fieldManager ?? 'unknown';
    const apply = (current: KubeObject | undefined): KubeObject => patcher({
      ref, patchType, current, body, manager, force: !!rc.force, now: this.clock.now(), subresource, fieldValidation: rc.fieldValidation,
    });
    if (patchType === applyPatchType && !subresource && !(await this.storage.get(this.key(ref, namespace, name)))) {
      const created = apply(undefined);
      const { resourceVersion: _unused, ...meta } = isPlainObject(created.metadata) ? created.metadata : {};
      if (meta.uid) throw conflict(gr(ref), name, `uid mismatch: the provided object specified uid ${String(meta.uid)}, and no existing object was found`);
      checkName(ref, meta, name, namespace);
      const object = await this.createInstead(ref, namespace, name, { ...created, metadata: meta }, { ...rc, managedFieldsDone: true });
      if (object) return { object, created: true };
    }
    const object = await this.guaranteedUpdate(ref, namespace, name, undefined, rc, (current) => {
      const patched = apply(this.present(ref, current));
      const meta: Record<string, unknown> = isPlainObject(patched.metadata) ? patched.metadata : {};
      if (meta.resourceVersion && meta.resourceVersion !== current.metadata.resourceVersion) throw conflict(gr(ref), name);
      // the patcher's checkName; a patch carries no uid precondition, so a changed uid is an invalid update
      checkName(ref, meta, name, namespace);
      if (meta.uid !== undefined && meta.uid !== current.metadata.uid) {
        throw invalid(gk(ref), name, [{ type: 'Invalid', field: 'metadata.uid', value: meta.uid, detail: 'field is immutable' }]);
      }
      return this.decode(ref, patched, rc, patchType !== applyPatchType);
    }, subresource);
    return { object, created: false };
  }

  async delete(ref: ResourceRef, namespace: string, name: string, options: DeleteOptions = {}, rc: RequestContext = {}): Promise<DeleteResult> {
    const key = this.key(ref, namespace, name);
    const info = ref.info;
    const refusal = info.strategy.undeletable?.(name);
    if (refusal) throw forbidden(gr(ref), name, refusal);
    for (let attempt = 0; ; attempt++) {
      const current = await this.storage.get(key);
      if (!current) throw notFound(gr(ref), name);
      checkDeletePreconditions(ref, current, options.preconditions);
      const next = deepCopy(current);
      const meta = next.metadata;
      const policy = propagationPolicy(options, meta, info.strategy.defaultGarbageCollectionPolicy?.(ref.version) ?? 'Background');
      meta.finalizers = withGcFinalizer(meta.finalizers, policy);
      if (!meta.finalizers.length) delete meta.finalizers;
      const grace = meta.deletionTimestamp && meta.deletionGracePeriodSeconds === 0
        ? 0
        : info.strategy.gracePeriodSeconds?.(current, options) ?? 0;
      const pending = (meta.finalizers?.length ?? 0) > 0 || grace > 0 || !!info.strategy.blocksDeletion?.(next);
      if (pending) {
        if (!meta.deletionTimestamp) {
          markDeleting(meta, this.clock.now(), grace);
        } else if ((meta.deletionGracePeriodSeconds ?? 0) > grace) {
          // only shortened, and from when the deletion began, not from now
          const began = Date.parse(meta.deletionTimestamp) - (meta.deletionGracePeriodSeconds ?? 0) * 1000;
          meta.deletionTimestamp = rfc3339(began + grace * 1000);
          meta.deletionGracePeriodSeconds = grace;
        }
        info.strategy.prepareForDelete?.(next);
        if (rc.dryRun) return { object: next, removed: false };
        if (deepEqual(next, current)) return { object: current, removed: false };
        try {
          return { object: await this.storage.update(key, next, current.metadata.resourceVersion!), removed: false };
        } catch (e) {
          if (e instanceof ConflictError && attempt < 20) continue;
          if (e instanceof NotFoundError) throw notFound(gr(ref), name);
          throw e;
        }
      }
      if (rc.dryRun) return { object: current, removed: true };
      try {
        let last = current;
        if (info.strategy.gracePeriodSeconds && !meta.deletionTimestamp) {
          // A graceful kind deleted with no grace is first marked, then removed
          // (updateForGracefulDeletionAndFinalizers): watchers see MODIFIED, then DELETED.
          markDeleting(meta, this.clock.now(), 0);
          last = await this.storage.update(key, next, current.metadata.resourceVersion!);
        }
        const removed = await this.storage.delete(key, last.metadata.resourceVersion);
        info.strategy.afterDelete?.(removed);
        return { object: removed, removed: true };
      } catch (e) {
        if (e instanceof ConflictError && attempt < 20) continue;
        if (e instanceof NotFoundError) throw notFound(gr(ref), name);
        throw e;
      }
    }
  }

  async deleteCollection(ref: ResourceRef, namespace: string | undefined, listOpts: ListOptions, options: DeleteOptions, rc: RequestContext = {}): Promise<KubeObject[]> {
    const page = await this.list(ref, namespace, { labelSelector: listOpts.labelSelector, fieldSelector: listOpts.fieldSelector });
    const out: KubeObject[] = [];
    for (const item of page.items) {
      try {
        out.push((await this.delete(ref, item.metadata.namespace ?? '', item.metadata.name!, options, rc)).object);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
    }
    return out;
  }

  /**
   * Starts a watch. Events come in the order of their resourceVersion; an object that stops (or
   * starts) matching the selectors is reported as DELETED (or ADDED), as kube-apiserver does.
   * Bookmarks follow the Cacher: each carries the newest version the store has reached, matching or
   * not, and goes out only once that is past what the watcher already holds.
   */
  watch(ref: ResourceRef, namespace: string | undefined, opts: WatchOptions, sink: (e: RegistryWatchEvent) => void): StorageWatch {
    const interval = opts.allowWatchBookmarks ? opts.bookmarkIntervalMs ?? 0 : 0;
    // every event of every watcher passes here: only a watch that gets bookmarks keeps count
    if (interval <= 0) return this.startWatch(ref, namespace, opts, sink).handle;
    let held = 0;
    const deliver = (e: RegistryWatchEvent): void => {
      const rv = e.type === 'BOOKMARK' ? e.resourceVersion : e.type === 'ERROR' ? undefined : e.object.metadata.resourceVersion;
      if (rv) held = Math.max(held, Number(rv));
      sink(e);
    };
    const started = this.startWatch(ref, namespace, opts, deliver);
    held = Math.max(held, started.from);
    let timer: Timer;
    const tick = (): void => {
      timer = this.clock.setTimer(interval, tick);
      const rv = this.storage.currentResourceVersion();
      if (rv > held) deliver({ type: 'BOOKMARK', resourceVersion: String(rv) });
    };
    timer = this.clock.setTimer(interval, tick);
    return { stop: () => { timer.cancel(); started.handle.stop(); } };
  }

  /** The watch itself, and the version the watcher holds from the start. */
  private startWatch(ref: ResourceRef, namespace: string | undefined, opts: WatchOptions, sink: (e: RegistryWatchEvent) => void): { handle: StorageWatch; from: number } {
    const labelSel = parseLabelSelector(opts.labelSelector);
    const fieldSel = this.parseFields(ref, opts.fieldSelector);
    const ns = ref.info.namespaced ? namespace : undefined;
    const prefix = storagePrefixOf(ref.info);
    const rvText = opts.resourceVersion ?? '';
    const from = rvText === '' || rvText === '0' ? undefined : parseResourceVersion(rvText);
    const wants = (o: KubeObject | undefined): boolean => !!o && this.matchesSelectors(ref, o, labelSel, fieldSel);
    const forward = (e: StorageEvent): void => {
      const now = wants(e.object);
      const before = e.type !== 'ADDED' && wants(e.previous);
      if (e.type === 'DELETED') {
        if (before) sink({ type: 'DELETED', object: e.object });
      } else if (now && before) sink({ type: 'MODIFIED', object: e.object });
      else if (now) sink({ type: 'ADDED', object: e.object });
      // convertToWatchEvent: what stopped matching is reported as it was, at the event's version
      else if (before) sink({ type: 'DELETED', object: { ...e.previous!, metadata: { ...e.previous!.metadata, resourceVersion: String(e.resourceVersion) } } });
    };
    // Asynchronous storage (etcd) reports a compacted start revision after the fact: end with 410 then.
    const failed = (err: Error): void => sink({ type: 'ERROR', error: err instanceof TooOldError ? expired(err.message) : err instanceof StatusError ? err : internalError(err) });
    const listSync = this.listSync;
    const begin = (): StorageWatch => {
      if (from !== undefined && !opts.sendInitialEvents) return this.storage.watch(prefix, ns, from, forward, failed);
      // "Start at most recent", or WatchList from any version: the current state as ADDED, then changes.
      const endOfInitialEvents = opts.sendInitialEvents && opts.allowWatchBookmarks;
      if (!listSync) return this.watchAfterList(prefix, ns, wants, !!endOfInitialEvents, sink, forward, failed);
      const current = this.storage.currentResourceVersion();
      for (const o of sortedByKey(listSync(prefix, ns).filter(wants))) sink({ type: 'ADDED', object: o });
      if (endOfInitialEvents) sink({ type: 'BOOKMARK', resourceVersion: String(current), initialEventsEnd: true });
      return this.storage.watch(prefix, ns, undefined, forward);
    };
    const current = this.storage.currentResourceVersion();
    // On etcd, a watch from a revision not reached yet simply waits for it, as etcd does.
    if (listSync && from !== undefined && from > current) return { handle: this.afterReaching(from, begin, sink), from };
    try {
      return { handle: begin(), from: from !== undefined && !opts.sendInitialEvents ? from : current };
    } catch (e) {
      if (e instanceof TooOldError) throw expired(e.message);
      throw e;
    }
  }

  /**
   * The Cacher's wait for a version from the future: up to 3 seconds for the store to reach it, then
   * the watch begins; else it ends with the 504 ERROR event. The clock is polled, as every write
   * moves the one version this process keeps.
   */
  private afterReaching(rv: number, begin: () => StorageWatch, sink: (e: RegistryWatchEvent) => void): StorageWatch {
    const pollMs = 100;
    const blockMs = 3000;
    let inner: StorageWatch | undefined;
    let waited = 0;
    const poll = (): void => {
      const current = this.storage.currentResourceVersion();
      if (current >= rv) inner = begin();
      else if ((waited += pollMs) >= blockMs) sink({ type: 'ERROR', error: tooLargeResourceVersion(rv, current) });
      else timer = this.clock.setTimer(pollMs, poll);
    };
    let timer = this.clock.setTimer(pollMs, poll);
    return { stop: () => { timer.cancel(); inner?.stop(); } };
  }

  /** For asynchronous storage: list, then watch from the list's revision so nothing falls between. */
  private watchAfterList(prefix: string, ns: string | undefined, wants: (o: KubeObject) => boolean, endOfInitialEvents: boolean,
    sink: (e: RegistryWatchEvent) => void, forward: (e: StorageEvent) => void, failed: (err: Error) => void): StorageWatch {
    let stopped = false;
    let inner: StorageWatch | undefined;
    void this.storage.list(prefix, ns).then((result) => {
      if (stopped) return;
      for (const o of sortedByKey(result.items.filter(wants))) sink({ type: 'ADDED', object: o });
      if (endOfInitialEvents) sink({ type: 'BOOKMARK', resourceVersion: String(result.resourceVersion), initialEventsEnd: true });
      try {
        inner = this.storage.watch(prefix, ns, result.resourceVersion, forward, failed);
      } catch (e) {
        failed(e as Error);
      }
    }, (err: unknown) => sink({ type: 'ERROR', error: err instanceof StatusError ? err : expired(String(err)) }));
    return { stop: () => { stopped = true; inner?.stop(); } };
  }

  private track(ref: ResourceRef, old: KubeObject | undefined, next: KubeObject, rc: RequestContext & { managedFieldsDone?: boolean }, subresource?: string): KubeObject {
    if (!this.fieldTracker || rc.managedFieldsDone) return next;
    return this.fieldTracker({ ref, old, next, manager: rc.fieldManager ?? 'unknown', now: this.clock.now(), subresource });
  }

  key(ref: ResourceRef, namespace: string, name: string): ObjectKey {
    return { prefix: storagePrefixOf(ref.info), namespace: ref.info.namespaced ? namespace : '', name };
  }

  private ctx(ref: ResourceRef, rc: RequestContext): StrategyContext {
    return { version: ref.version, now: this.clock.now(), dryRun: !!rc.dryRun };
  }

  /**
   * Checks the body is an object of this kind and version, then converts it to storage form. A body
   * the decoder refuses is a 400; the result of a json, merge or strategic patch (`patched`) is a 422
   * on "patch" instead, as kube-apiserver's patch handler reports it.
   */
  decode(ref: ResourceRef, body: unknown, rc: RequestContext, patched = false): KubeObject {
    if (!isPlainObject(body)) throw badRequest(`Object '${ref.info.kind}' is invalid: expected a JSON object`);
    const expectedApiVersion = apiVersionOf(ref);
    const { apiVersion, kind } = body;
    if (kind !== undefined && kind !== ref.info.kind) {
      throw badRequest(`${describeBody(body)} is invalid: kind in body (${String(kind)}) does not match the expected kind ${ref.info.kind}`);
    }
    if (apiVersion !== undefined && apiVersion !== expectedApiVersion) {
      throw badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${expectedApiVersion})`);
    }
    const refuse = (detail: string): StatusError => patched
      ? invalid({ group: '', kind: '' }, '', [{ type: 'Invalid', field: 'patch', value: JSON.stringify(body), detail }])
      : badRequest(`${ref.info.kind} in version "${ref.version}" cannot be handled as a ${ref.info.kind}: ${detail}`);
    if (body.metadata !== undefined && body.metadata !== null && !isPlainObject(body.metadata)) {
      throw refuse(`json: cannot unmarshal ${typeof body.metadata} into Go struct field ${ref.info.kind}.metadata of type v1.ObjectMeta`);
    }
    // managedFields kept as they are: an in-process writer hands back the stored entries, and the same
    // objects let tracking see at once that it did not change them
    const obj = copyForStorage({ ...body, metadata: body.metadata ?? {} } as KubeObject);
    delete obj.apiVersion;
    delete obj.kind;
    const decoded = this.decoder?.decodeFields(ref.info, ref.version, obj);
    if (decoded?.typeError) throw refuse(decoded.typeError);
    this.reportFieldProblems(decoded?.unknownFields ?? [], rc, refuse);
    const converted = ref.info.conversion ? ref.info.conversion.toStorage(obj) : obj;
    return converted;
  }

  private reportFieldProblems(unknown: string[], rc: RequestContext, refuse: (detail: string) => StatusError): void {
    const problems = [
      ...(rc.duplicateFields ?? []).map((f) => `duplicate field "${f}"`),
      ...unknown.map((f) => `unknown field "${f}"`),
    ];
    if (!problems.length) return;
    const mode = rc.fieldValidation ?? 'Warn';
    if (mode === 'Strict') throw refuse(`strict decoding error: ${problems.join(', ')}`);
    if (mode === 'Warn') for (const p of problems) rc.warnings?.push(p);
  }

  private fillCreateMetadata(obj: KubeObject, ctx: StrategyContext, tracksGeneration: boolean): void {
    const meta = obj.metadata;
    meta.uid = newUid();
    meta.creationTimestamp = rfc3339(ctx.now);
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete (meta as Record<string, unknown>).selfLink;
    if (tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    // generated before validation, so errors name the object by it (rest.BeforeCreate)
    if (!meta.name && meta.generateName) meta.name = generatedName(meta.generateName);
  }

  /** The generic half of BeforeUpdate: system metadata is kept, status or the rest is kept per subresource. */
  private prepareUpdate(ref: ResourceRef, next: KubeObject, current: KubeObject, rc: RequestContext, subresource?: WriteSubresource): KubeObject {
    const info = ref.info;
    const ctx = this.ctx(ref, rc);
    const meta = next.metadata;
    const old = current.metadata;
    meta.name = old.name;
    // EnsureObjectNamespaceMatchesRequestNamespace: a cluster-scoped object's namespace is cleared
    if (info.namespaced) meta.namespace = old.namespace;
    else delete meta.namespace;
    delete (meta as Record<string, unknown>).selfLink;
    if (meta.uid && meta.uid !== old.uid) {
      throw conflict(gr(ref), old.name!, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${old.uid}`);
    }
    meta.uid = old.uid;
    meta.creationTimestamp = old.creationTimestamp;
    // BeforeUpdate: a deletion once begun stays as it is, even where the write leaves it out; one a
    // client starts here fails validation (the fields are immutable)
    if (old.deletionTimestamp) meta.deletionTimestamp = old.deletionTimestamp;
    if (meta.deletionGracePeriodSeconds == null) meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
    if (meta.deletionTimestamp == null) delete meta.deletionTimestamp;
    if (meta.deletionGracePeriodSeconds == null) delete meta.deletionGracePeriodSeconds;
    meta.resourceVersion = old.resourceVersion;
    if (subresource === 'finalize') {
      const finalizers = isPlainObject(next.spec) ? next.spec.finalizers : undefined;
      const rest = deepCopy(current);
      rest.spec = { ...(isPlainObject(rest.spec) ? rest.spec : {}), finalizers };
      if (finalizers === undefined) delete (rest.spec as Record<string, unknown>).finalizers;
      return rest;
    }
    refuseNewFinalizersWhileDeleting(ref, meta, old);
    let kindErrors: FieldError[];
    const own = subresource ? info.updateSubresources?.[subresource] : undefined;
    if (own) {
      // Decoding defaults every write; the subresource's strategy then keeps all it may not change.
      info.strategy.defaults?.(next, ref.version);
      own.prepareForUpdate(next, current, ctx);
      kindErrors = own.validateUpdate(next, current, ctx);
    } else if (subresource === 'status') {
      // Every status strategy kube serves for these kinds resets spec alone (GetResetFields: spec):
      // labels, annotations, finalizers and owners change through /status as through the object.
      // shallow: what is taken from current (spec) is stored unchanged, and stored objects never change in place
      const rest = { ...current };
      rest.status = next.status;
      rest.metadata = meta;
      Object.assign(next, rest);
      for (const k of Object.keys(next)) if (!(k in rest)) delete next[k];
      if (!old.generation) delete meta.generation;
      else meta.generation = old.generation;
      info.strategy.prepareForStatusUpdate?.(next, current, ctx);
      kindErrors = info.strategy.validateStatusUpdate?.(next, current, ctx) ?? [];
    } else {
      // Decoding defaults every write, not only creates (SetDefaults_* run in the codec).
      info.strategy.defaults?.(next, ref.version);
      if (info.statusSubresource || info.strategy.hasStatus) {
        if (current.status === undefined) delete next.status;
        else next.status = deepCopy(current.status);
      }
      if (!old.generation) delete meta.generation;
      else meta.generation = specChanged(next, current) ? old.generation + 1 : old.generation;
      info.strategy.prepareForUpdate?.(next, current, ctx);
      kindErrors = info.strategy.validateUpdate?.(next, current, ctx) ?? info.strategy.validate?.(next, ctx) ?? [];
      for (const w of info.strategy.warnings?.(next, ctx) ?? []) rc.warnings?.push(w);
    }
    const errors = [...validateObjectMeta(meta, info, info.strategy.validateName), ...validateObjectMetaUpdate(meta, old), ...kindErrors];
    if (errors.length) throw invalid(gk(ref), old.name!, errors);
    return next;
  }

  /** An update that drops the last finalizer of an object whose deletion is due removes it. */
  private finishesDeletion(ref: ResourceRef, obj: KubeObject): boolean {
    const m = obj.metadata;
    return !!m.deletionTimestamp && !(m.finalizers?.length) && (m.deletionGracePeriodSeconds ?? 0) === 0 && !ref.info.strategy.blocksDeletion?.(obj);
  }

  /** NamespaceLifecycle admission, which runs before the strategy validates anything. */
  private async checkNamespaceAcceptsCreate(ref: ResourceRef, namespace: string, name: string): Promise<void> {
    if (!namespace) throw badRequest('the server could not find the requested resource: a namespace is required');
    const ns = await this.storage.get({ prefix: 'core/namespaces', namespace: '', name: namespace });
    if (!ns) {
      if (systemNamespaces.has(namespace)) return;
      throw notFound({ group: '', resource: 'namespaces' }, namespace);
    }
    if (ns.metadata.deletionTimestamp) {
      const err = forbidden(gr(ref), name, `unable to create new content in namespace ${namespace} because it is being terminated`);
      err.status.details = { ...err.status.details, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] };
      throw err;
    }
  }

  private parseFields(ref: ResourceRef, text: string | undefined): FieldSelector {
    const sel = parseFieldSelector(text);
    if (sel.length) checkFieldLabels(sel, ref.info.strategy.fieldLabels?.(ref.version));
    return sel;
  }

  private matchesSelectors(ref: ResourceRef, obj: KubeObject, labels: Selector, fields: FieldSelector): boolean {
    if (labels.length && !matches(labels, obj.metadata.labels)) return false;
    if (!fields.length) return true;
    const values: Record<string, string> = {
      'metadata.name': obj.metadata.name ?? '',
      'metadata.namespace': obj.metadata.namespace ?? '',
      ...(ref.info.strategy.selectableFields?.(obj) ?? {}),
    };
    return fieldsMatch(fields, values);
  }

  private checkListResourceVersion(opts: ListOptions): void {
    const rv = opts.resourceVersion;
    const match = opts.resourceVersionMatch;
    // ValidateListOptions, which the list handler answers with a 422
    const errors: FieldError[] = [];
    if (match) {
      if (!rv) errors.push({ type: 'Forbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch is forbidden unless resourceVersion is provided' });
      if (opts.continue) errors.push({ type: 'Forbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch is forbidden when continue is provided' });
      if (match !== 'Exact' && match !== 'NotOlderThan') errors.push({ type: 'NotSupported', field: 'resourceVersionMatch', value: match, supported: ['Exact', 'NotOlderThan', ''] });
      if (match === 'Exact' && rv === '0') errors.push({ type: 'Forbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"' });
    }
    if (errors.length) throw invalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', errors);
    if (!rv || rv === '0') return;
    if (opts.continue) throw badRequest('specifying resource version is not allowed when using continue');
    const n = parseResourceVersion(rv);
    const current = this.storage.currentResourceVersion();
    if (n > current) {
      throw tooLargeResourceVersion(n, current);
    }
    if (opts.resourceVersionMatch === 'Exact' && n !== current) {
      throw expired(`too old resource version: ${n} (${current})`);
    }
  }
}

const maxResourceVersion = 2n ** 64n - 1n;

/** A resourceVersion is a uint64, as kube-apiserver's versioner parses it; anything else is a 400. */
function parseResourceVersion(text: string): number {
  if (!/^\d+$/.test(text) || BigInt(text) > maxResourceVersion) throw badRequest(`invalid resource version: ${text}`);
  return Number(text);
}

export function gr(ref: ResourceRef): GroupResource {
  return { group: ref.info.group, resource: ref.info.resource };
}

export function gk(ref: ResourceRef): { group: string; kind: string } {
  return { group: ref.info.group, kind: ref.info.kind };
}

function describeBody(body: Record<string, unknown>): string {
  const meta = isPlainObject(body.metadata) ? body.metadata : {};
  return `Object '${String(meta.name ?? '')}'`;
}

/**
 * A copy of an object to decode or store, sharing its managedFields: entries are built fresh by every
 * write and never changed in place, and keeping them the same objects from one version to the next
 * lets managed-fields tracking reuse what it decoded and encoded last time.
 */
function copyForStorage(o: KubeObject): KubeObject {
  const { managedFields, ...metadata } = o.metadata;
  const copy: KubeObject = deepCopy({ ...o, metadata });
  if (managedFields !== undefined) copy.metadata.managedFields = managedFields;
  return copy;
}

function stripVersion(o: KubeObject): KubeObject {
  return { ...o, metadata: { ...o.metadata, resourceVersion: undefined } };
}

function specChanged(next: KubeObject, current: KubeObject): boolean {
  for (const k of new Set([...Object.keys(next), ...Object.keys(current)])) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (!deepEqual(next[k], current[k])) return true;
  }
  return false;
}

function propagationPolicy(options: DeleteOptionsLike, meta: ObjectMeta, kindDefault: PropagationPolicy): PropagationPolicy {
  if (options.propagationPolicy) return options.propagationPolicy;
  if (options.orphanDependents === true) return 'Orphan';
  if (options.orphanDependents === false) return 'Background';
  if (meta.finalizers?.includes('orphan')) return 'Orphan';
  if (meta.finalizers?.includes('foregroundDeletion')) return 'Foreground';
  return kindDefault;
}

/** The finalizers that make the garbage collector orphan or delete dependents first. */
function withGcFinalizer(finalizers: string[] | undefined, policy: PropagationPolicy): string[] {
  const rest = (finalizers ?? []).filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
  if (policy === 'Orphan') rest.push('orphan');
  if (policy === 'Foreground') rest.push('foregroundDeletion');
  return rest;
}

function sortKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

/** Sorted by namespace/name, with each key built once rather than at every comparison. */
function sortedByKey(items: KubeObject[]): KubeObject[] {
  const keyed = items.map((o) => ({ k: sortKey(o), o }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((e) => e.o);
}

interface ContinueToken {
  rv: string;
  start: string;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(t.rv), start: t.start })).toString('base64url');
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown };
    if (typeof t.start !== 'string' || typeof t.rv !== 'number') throw new Error('bad');
    return { rv: String(t.rv), start: t.start };
  } catch {
    throw badRequest('invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

export { groupVersion };

/** ValidateNoNewFinalizers: an object being deleted may lose finalizers, never gain one. */
function refuseNewFinalizersWhileDeleting(ref: ResourceRef, meta: ObjectMeta, old: ObjectMeta): void {
  if (!old.deletionTimestamp) return;
  const added = (meta.finalizers ?? []).filter((f) => !(old.finalizers ?? []).includes(f));
  if (!added.length) return;
  throw invalid(gk(ref), old.name!, [{ type: 'Forbidden', field: 'metadata.finalizers', detail: `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(added)}` }]);
}

/** rest.BeforeDelete and markAsDeleting: the deletion starts, and watchers of generation see it. */
function markDeleting(meta: KubeObject['metadata'], now: number, grace: number): void {
  meta.deletionTimestamp = rfc3339(now + grace * 1000);
  meta.deletionGracePeriodSeconds = grace;
  if (meta.generation) meta.generation++;
}

/** SimpleNameGenerator: the prefix cut so that the name stays within 63 characters, then 5 random ones. */
function generatedName(generateName: string): string {
  return `${generateName.slice(0, 58)}${randomSuffix()}`;
}

/** The handlers' checkName: the object names itself as the URL does, and sits in its namespace. */
function checkName(ref: ResourceRef, meta: { name?: unknown; namespace?: unknown }, name: string, namespace: string): void {
  if (!meta.name) throw badRequest(`the name of the object (${name} based on URL) was undeterminable: name must be provided`);
  if (meta.name !== name) throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
  if (ref.info.namespaced && meta.namespace && meta.namespace !== namespace) {
    throw badRequest(`the namespace of the object (${String(meta.namespace)}) does not match the namespace on the request (${namespace})`);
  }
}

/** The Cacher's answer to a version its store has not reached: 504, try again in a second. */
function tooLargeResourceVersion(rv: number, current: number): StatusError {
  return new StatusError({ ...timeout(`Too large resource version: ${rv}, current: ${current}`).status, details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 } });
}

/**
 * etcd3's answer to a continue token whose revision is compacted: 410, with a token that goes on
 * from the current state (resourceVersion -1) for a client that accepts an inconsistent list.
 */
function continueTooOld(start: string): StatusError {
  const err = expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
  err.status.metadata = { continue: encodeContinue({ rv: '-1', start }) };
  return err;
}
