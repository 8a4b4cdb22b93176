import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { fieldLabelNotSupported } from '../../meta/fields.js';
import { invalid, type FieldError } from '../../meta/errors.js';
import type { KubeObject } from '../../meta/types.js';
import type { Storage } from '../../store/storage.js';
import { validateLabels } from '../objectmeta.js';
import type { ResourceInfo } from '../resource.js';
import type { StrategyContext } from '../strategy.js';
import { age, ageColumn, column, nameColumn } from '../table.js';
import { dns1035LabelErrors, dnsLabelField, oneOf, portNameErrors, portNumberErrors, supportedProtocols } from './fieldrules.js';
import { isIPv6, NodePortAllocator, parseIPv4, ServiceIPAllocator } from './ipallocator.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type ServiceObject = Mutable<Service> & KubeObject;

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

export interface ServiceDeps {
  ips: ServiceIPAllocator;
  nodePorts: NodePortAllocator;
  /** When given, allocations are first synced with the Services already stored (a restart). */
  storage?: Storage;
}

/** SetDefaults_Service (core/v1). */
export function defaultService(svc: ServiceObject): void {
  const spec = (svc.spec ??= {});
  spec.type ||= 'ClusterIP';
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  for (const p of (spec.ports ?? []) as ServicePort[]) {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ||= 'Cluster';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ||= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
}

function isHeadless(svc: ServiceObject): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** ValidateService, the parts kubemock enforces. */
export function validateService(svc: ServiceObject): FieldError[] {
  const out: FieldError[] = [];
  const spec = svc.spec ?? {};
  const type = spec.type ?? '';
  out.push(...oneOf(type, serviceTypes, 'spec.type'));
  const ports = spec.ports ?? [];
  if (ports.length === 0 && !isHeadless(svc) && type !== 'ExternalName') out.push({ type: 'Required', field: 'spec.ports', detail: '' });
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((p, i) => {
    const path = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) out.push({ type: 'Required', field: `${path}.name`, detail: '' });
    if (p.name) {
      out.push(...dnsLabelField(p.name, `${path}.name`));
      if (names.has(p.name)) out.push({ type: 'Duplicate', field: `${path}.name`, value: p.name });
      names.add(p.name);
    }
    out.push(...portNumberErrors(p.port, `${path}.port`));
    out.push(...oneOf(p.protocol, supportedProtocols, `${path}.protocol`));
    if (typeof p.targetPort === 'number') out.push(...portNumberErrors(p.targetPort, `${path}.targetPort`));
    else if (typeof p.targetPort === 'string') {
      for (const d of portNameErrors(p.targetPort)) out.push({ type: 'Invalid', field: `${path}.targetPort`, value: p.targetPort, detail: d });
    }
    if (p.nodePort && type === 'ClusterIP') out.push({ type: 'Forbidden', field: `${path}.nodePort`, detail: `may not be used when \`type\` is 'ClusterIP'` });
    const key = `${p.port}/${p.protocol}`;
    if (keys.has(key)) out.push({ type: 'Duplicate', field: path, value: { port: p.port, protocol: p.protocol } });
    keys.add(key);
  });
  out.push(...oneOf(spec.sessionAffinity, ['ClientIP', 'None'], 'spec.sessionAffinity'));
  if (type === 'ExternalName') {
    if (!spec.externalName) out.push({ type: 'Required', field: 'spec.externalName', detail: '' });
    if (spec.clusterIP) out.push({ type: 'Forbidden', field: 'spec.clusterIPs', detail: 'may not be set for ExternalName services' });
  } else {
    if (spec.externalName) out.push({ type: 'Forbidden', field: 'spec.externalName', detail: 'may only be set for ExternalName services' });
  }
  if (spec.clusterIP && spec.clusterIP !== 'None' && parseIPv4(spec.clusterIP) === undefined && !isIPv6(spec.clusterIP)) {
    out.push({ type: 'Invalid', field: 'spec.clusterIPs[0]', value: spec.clusterIP, detail: 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)' });
  }
  if (spec.clusterIPs?.length && spec.clusterIP && spec.clusterIPs[0] !== spec.clusterIP) {
    out.push({ type: 'Invalid', field: 'spec.clusterIPs', value: spec.clusterIPs, detail: 'first value must match `clusterIP`' });
  }
  (spec.externalIPs ?? []).forEach((ip, i) => {
    if (parseIPv4(ip) === undefined && !isIPv6(ip)) out.push({ type: 'Invalid', field: `spec.externalIPs[${i}]`, value: ip, detail: 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)' });
  });
  if (spec.ipFamilyPolicy) out.push(...oneOf(spec.ipFamilyPolicy, ['PreferDualStack', 'RequireDualStack', 'SingleStack'], 'spec.ipFamilyPolicy'));
  (spec.ipFamilies ?? []).forEach((f, i) => out.push(...oneOf(f, ['IPv4', 'IPv6'], `spec.ipFamilies[${i}]`)));
  if (spec.internalTrafficPolicy) out.push(...oneOf(spec.internalTrafficPolicy, ['Cluster', 'Local'], 'spec.internalTrafficPolicy'));
  if (spec.externalTrafficPolicy) {
    if (type !== 'NodePort' && type !== 'LoadBalancer') {
      out.push({ type: 'Invalid', field: 'spec.externalTrafficPolicy', value: spec.externalTrafficPolicy, detail: `may only be set when \`type\` is 'NodePort' or 'LoadBalancer'` });
    } else out.push(...oneOf(spec.externalTrafficPolicy, ['Cluster', 'Local'], 'spec.externalTrafficPolicy'));
  }
  out.push(...validateLabels(spec.selector, 'spec.selector'));
  return out;
}

/** The ip-family fields the service registry fills on create (single-stack IPv4 cluster). */
function fillIPFamilies(svc: ServiceObject): void {
  const spec = svc.spec!;
  if (spec.type === 'ExternalName') return;
  spec.ipFamilyPolicy ||= isHeadless(svc) && !spec.selector ? 'RequireDualStack' : 'SingleStack';
  if (!spec.ipFamilies?.length) spec.ipFamilies = ['IPv4'];
}

export class ServiceAllocations {
  private synced = false;
  constructor(private readonly deps: ServiceDeps) {}

  /** Learns the addresses of stored Services once, so a restarted server does not hand them out again. */
  async sync(): Promise<void> {
    if (this.synced || !this.deps.storage) return;
    this.synced = true;
    const { items } = await this.deps.storage.list('core/services');
    for (const s of items as ServiceObject[]) this.remember(s);
  }

  remember(s: ServiceObject): void {
    const owner = s.metadata.uid ?? '';
    for (const ip of s.spec?.clusterIPs ?? []) if (ip !== 'None' && this.deps.ips.inRange(ip)) this.deps.ips.allocate(ip, owner);
    for (const p of s.spec?.ports ?? []) if (p.nodePort) this.deps.nodePorts.allocate(p.nodePort, owner);
  }

  /** A holder that never reached storage (its create failed later) does not keep an address. */
  private async heldByStoredService(ip: string, holder: string): Promise<boolean> {
    if (!this.deps.storage) return true;
    const { items } = await this.deps.storage.list('core/services');
    return items.some((s) => s.metadata.uid === holder && ((s as ServiceObject).spec?.clusterIPs ?? []).includes(ip));
  }

  async allocate(svc: ServiceObject, ctx: StrategyContext): Promise<void> {
    const spec = svc.spec!;
    const owner = svc.metadata.uid ?? '';
    const name = svc.metadata.name ?? svc.metadata.generateName ?? '';
    if (spec.type === 'ExternalName') return;
    if (isHeadless(svc)) {
      spec.clusterIPs = ['None'];
      return;
    }
    const requested = spec.clusterIP || spec.clusterIPs?.[0];
    let ip: string | undefined;
    if (requested) {
      const holder = this.deps.ips.ownerOf(requested);
      if (holder !== undefined && holder !== owner && !(await this.heldByStoredService(requested, holder))) this.deps.ips.release(requested, holder);
      const err = ctx.dryRun ? this.deps.ips.check(requested, owner) : this.deps.ips.allocate(requested, owner);
      if (err) {
        throw invalid({ group: '', kind: 'Service' }, name, [{ type: 'Invalid', field: 'spec.clusterIPs', value: [requested], detail: `failed to allocate IP ${requested}: ${err}` }]);
      }
      ip = requested;
    } else {
      ip = this.deps.ips.allocateNext(owner, !ctx.dryRun);
      if (!ip) throw invalid({ group: '', kind: 'Service' }, name, [{ type: 'Invalid', field: 'spec.clusterIPs', value: [], detail: 'failed to allocate IP: range is full' }]);
    }
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') this.allocateNodePorts(svc, owner, name, ctx);
  }

  allocateNodePorts(svc: ServiceObject, owner: string, name: string, ctx: StrategyContext): void {
    (svc.spec?.ports ?? []).forEach((p, i) => {
      if (p.nodePort) {
        const err = ctx.dryRun ? undefined : this.deps.nodePorts.allocate(p.nodePort, owner);
        if (err) throw invalid({ group: '', kind: 'Service' }, name, [{ type: 'Invalid', field: `spec.ports[${i}].nodePort`, value: p.nodePort, detail: err }]);
      } else if (!ctx.dryRun) {
        p.nodePort = this.deps.nodePorts.allocateNext(owner);
      }
    });
  }

  release(svc: ServiceObject): void {
    const owner = svc.metadata.uid ?? '';
    this.deps.ips.releaseOwner(owner);
    this.deps.nodePorts.releaseOwner(owner);
  }
}

/** Keeps what the registry allocated when a client (kubectl apply, replace) leaves it out. */
function patchAllocatedValues(svc: ServiceObject, old: ServiceObject): void {
  const spec = (svc.spec ??= {});
  const prev = old.spec ?? {};
  if (spec.type === 'ExternalName' || prev.type === 'ExternalName') return;
  if (!spec.clusterIP && prev.clusterIP) spec.clusterIP = prev.clusterIP;
  if (!spec.clusterIPs?.length && prev.clusterIPs?.length && spec.clusterIP === prev.clusterIP) spec.clusterIPs = prev.clusterIPs;
  if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
  if (!spec.ipFamilies?.length && prev.ipFamilies) spec.ipFamilies = prev.ipFamilies;
  if (!spec.ipFamilyPolicy && prev.ipFamilyPolicy) spec.ipFamilyPolicy = prev.ipFamilyPolicy;
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
    for (const p of spec.ports ?? []) {
      const match = (prev.ports ?? []).find((o) => o.port === p.port && o.protocol === p.protocol);
      if (!p.nodePort && match?.nodePort) p.nodePort = match.nodePort;
    }
  }
}

function validateServiceUpdate(svc: ServiceObject, old: ServiceObject): FieldError[] {
  const out: FieldError[] = [];
  const spec = svc.spec ?? {};
  const prev = old.spec ?? {};
  if (spec.type !== 'ExternalName' && prev.type !== 'ExternalName') {
    const now = spec.clusterIPs ?? [];
    const was = prev.clusterIPs ?? [];
    if (was.length && (now[0] ?? '') !== was[0]) out.push({ type: 'Invalid', field: 'spec.clusterIPs[0]', value: now, detail: 'may not change once set' });
  }
  return [...out, ...validateService(svc)];
}

function externalIP(svc: ServiceObject): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean);
      const all = [...ingress, ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function portsText(ports: ServicePort[] | undefined): string {
  if (!ports?.length) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',');
}

/** labels.FormatLabels: sorted "k=v" pairs, "<none>" when empty. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(',') : '<none>';
}

export function services(deps: ServiceDeps): ResourceInfo<ServiceObject> {
  const alloc = new ServiceAllocations(deps);
  return {
    group: '',
    versions: [{ name: 'v1' }],
    resource: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    statusSubresource: true,
    strategy: {
      allowCreateOnUpdate: true,
      returnDeletedObject: true,
      hasStatus: true,
      validateName: dns1035LabelErrors,
      defaults: defaultService,
      async prepareForCreate(svc, ctx) {
        svc.status = { loadBalancer: {} };
        await alloc.sync();
        if (validateService(svc).length) return; // validation reports it; nothing is allocated
        await alloc.allocate(svc, ctx);
        fillIPFamilies(svc);
      },
      prepareForUpdate(svc, old, ctx) {
        defaultService(svc);
        patchAllocatedValues(svc, old);
        if (old.spec?.type === 'ExternalName' && svc.spec?.type !== 'ExternalName' && !svc.spec?.clusterIP && !ctx.dryRun) {
          const ip = deps.ips.allocateNext(svc.metadata.uid ?? '');
          if (ip) svc.spec!.clusterIP = ip;
          if (ip) svc.spec!.clusterIPs = [ip];
        }
        fillIPFamilies(svc);
      },
      validate: (svc) => validateService(svc),
      validateUpdate: (svc, old) => validateServiceUpdate(svc, old),
      selectableFields: (svc) => ({ 'spec.clusterIP': svc.spec?.clusterIP ?? '', 'spec.type': svc.spec?.type ?? '' }),
      fieldLabels: () => ({ names: ['metadata.name', 'metadata.namespace', 'spec.clusterIP', 'spec.type'], unsupported: fieldLabelNotSupported }),
      afterDelete: (svc) => alloc.release(svc),
      table: {
        columns: [
          nameColumn,
          column('Type', 'string', 'type determines how the Service is exposed.'),
          column('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
          column('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
          column('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
          ageColumn,
          column('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', { priority: 1 }),
        ],
        cells: (svc, now) => [
          svc.metadata.name,
          svc.spec?.type ?? '',
          svc.spec?.clusterIP || '<none>',
          externalIP(svc),
          portsText(svc.spec?.ports),
          age(svc, now),
          formatLabels(svc.spec?.selector),
        ],
      },
    },
  };
}

