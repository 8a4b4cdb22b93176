/**
 * answer(question, view, options): the whole of the cluster's DNS semantics as one pure function
 * over the view, following CoreDNS's kubernetes plugin (handler.go, kubernetes.go findServices /
 * findPods, reverse.go) and the Kubernetes DNS specification. No sockets, no clock, no store.
 */
import type { Answer, Question, SoaAnswer } from 'dns-packet';
import { isIPv4, isIPv6 } from 'node:net';
import { dashedIP, ipFromDashed, ipFromReverseName, reverseZoneOf } from './ip.js';
import type { NameRecordRequest } from './parse.js';
import { normalizeName, parseQuery } from './parse.js';
import type { DnsEndpoint, DnsEndpointPort, DnsService, DnsView } from './view.js';

export type DnsRcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED';

export interface DnsAnswer {
  readonly rcode: DnsRcode;
  readonly authoritative: boolean;
  readonly answers: Answer[];
  readonly authorities: Answer[];
  readonly additionals: Answer[];
  /**
   * Not ours to answer (outside the zone, or a reverse name we hold nothing for, which kubeadm's
   * Corefile lets fall through): the server forwards it when an upstream is configured and
   * otherwise sends this answer as it is.
   */
  readonly delegate: boolean;
}

/** `pods` option of the CoreDNS kubernetes plugin; kubeadm configures `insecure`. */
export type PodRecordMode = 'disabled' | 'insecure' | 'verified';

export interface AnswerOptions {
  /** The cluster domain, e.g. cluster.local. */
  readonly zone: string;
  readonly ttlSeconds: number;
  readonly podMode: PodRecordMode;
  /** Name endpoints without hostname by their pod name instead of the dashed IP (CoreDNS endpoint_pod_names). */
  readonly endpointPodNames: boolean;
  /** Addresses published for ns.dns.<zone>, the zone's name server. */
  readonly nameserverIPs: readonly string[];
}

export const defaultAnswerOptions: AnswerOptions = {
  zone: 'cluster.local',
  ttlSeconds: 30,
  podMode: 'insecure',
  endpointPodNames: false,
  nameserverIPs: ['127.0.0.1'],
};

export const dnsSchemaVersion = '1.1.0';
/** The TTL CoreDNS gives the dns-version TXT record. */
const schemaVersionTtlSeconds = 28800;
const maxCnameChain = 10;

/** What a name resolves to before it is shaped into records of the asked type (CoreDNS's msg.Service). */
type Target =
  | { readonly kind: 'address'; readonly ip: string; readonly port: number; readonly host: string }
  | { readonly kind: 'cname'; readonly host: string };

/** A name either does not exist or exists with zero or more targets (zero = NODATA). */
type Lookup = { readonly exists: false } | { readonly exists: true; readonly targets: readonly Target[] };

const notFound: Lookup = { exists: false };
const found = (targets: readonly Target[]): Lookup => ({ exists: true, targets });

interface Context {
  readonly view: DnsView;
  readonly options: AnswerOptions;
  readonly zone: string;
}

export function answer(question: Question, view: DnsView, options: AnswerOptions = defaultAnswerOptions): DnsAnswer {
  const ctx: Context = { view, options, zone: normalizeName(options.zone) };
  const qname = question.name.replace(/\.+$/, '');
  const lower = normalizeName(qname);
  const type = question.type.toUpperCase();

  if (reverseZoneOf(lower) && !isInside(lower, ctx.zone)) return answerReverse(ctx, qname, lower, type);

  const request = parseQuery(lower, ctx.zone);
  if (request.kind === 'outside') return refused(true);
  if (type === 'AXFR' || type === 'IXFR') return refused(false);

  const zoneOwner = qname.slice(qname.length - ctx.zone.length);
  const soa = soaRecord(ctx, zoneOwner);
  const reply = (answers: Answer[], additionals: Answer[] = []): DnsAnswer =>
    answers.length ? positive(answers, additionals) : negative('NOERROR', soa);
  const nameError = (): DnsAnswer => negative(ctx.view.hasSynced() ? 'NXDOMAIN' : 'SERVFAIL', soa);

  switch (request.kind) {
    case 'apex':
      if (type === 'SOA') return positive([soa]);
      if (type === 'NS') return positive([nsRecord(ctx, qname)], nameserverAddresses(ctx, ['A', 'AAAA']));
      return reply([]);
    case 'nameserver':
      return reply(nameserverAddresses(ctx, [type], qname));
    case 'dns-version':
      return reply(type === 'TXT' ? [{ type: 'TXT', name: qname, ttl: schemaVersionTtlSeconds, data: dnsSchemaVersion }] : []);
    case 'invalid':
      return nameError();
    case 'svc':
    case 'pod':
      break;
  }

  const lookup = lookupName(ctx, request);
  if (!lookup.exists) return nameError();
  switch (type) {
    case 'A':
    case 'AAAA':
      return reply(addressRecords(ctx, qname, type, lookup.targets, 0));
    case 'SRV': {
      const { records, extra } = srvRecords(ctx, qname, lookup.targets);
      return reply(records, extra);
    }
    case 'CNAME': {
      const cname = lookup.targets.find((t) => t.kind === 'cname');
      return reply(cname ? [cnameRecord(ctx, qname, cname.host)] : []);
    }
    default:
      // CoreDNS answers other types with a fake A lookup: existing names get NODATA
      return reply([]);
  }
}

// ---- forward names ----

function lookupName(ctx: Context, request: NameRecordRequest): Lookup {
  if (request.namespace === '') return found([]);
  if (!ctx.view.hasNamespace(request.namespace)) return notFound;
  if (request.service === '') return found([]);
  return request.kind === 'pod' ? lookupPod(ctx, request) : lookupService(ctx, request);
}

function lookupService(ctx: Context, request: NameRecordRequest): Lookup {
  const svc = ctx.view.service(request.namespace, request.service);
  if (!svc) return notFound;
  const svcHost = serviceHost(ctx, svc);

  if (svc.type === 'ExternalName') {
    if (request.endpoint || request.port || request.protocol || !svc.externalName) return notFound;
    const target = normalizeName(svc.externalName);
    // an ExternalName that is an IP is not a valid CNAME target; CoreDNS skips it
    return isIPv4(target) || isIPv6(target) ? notFound : found([{ kind: 'cname', host: target }]);
  }

  const targets: Target[] = [];
  if (svc.headless || request.endpoint) {
    for (const ep of ctx.view.endpoints(svc.namespace, svc.name)) {
      if (!isPublished(ep, svc)) continue;
      for (const ip of ep.addresses) {
        const host = endpointHostname(ctx, ep, ip);
        if (request.endpoint && host.toLowerCase() !== request.endpoint) continue;
        for (const port of portsOrSentinel(ep.ports)) {
          if (matchesPort(request, port)) targets.push({ kind: 'address', ip, port: port.port, host: `${host}.${svcHost}` });
        }
      }
    }
  } else {
    for (const port of portsOrSentinel(svc.ports)) {
      if (!matchesPort(request, port)) continue;
      for (const ip of svc.clusterIPs) targets.push({ kind: 'address', ip, port: port.port, host: svcHost });
    }
  }
  // a headless service without ready endpoints, or a port that is not there, is a name error
  return targets.length ? found(targets) : notFound;
}

function lookupPod(ctx: Context, request: NameRecordRequest): Lookup {
  if (ctx.options.podMode === 'disabled' || request.endpoint || request.port || request.protocol) return notFound;
  const ip = ipFromDashed(request.service);
  if (!ip) return notFound;
  const target: Target = { kind: 'address', ip, port: -1, host: `${request.service}.${request.namespace}.pod.${ctx.zone}` };
  if (ctx.options.podMode === 'insecure') return found([target]);
  const exists = ctx.view.podsByIP(ip).some((p) => p.namespace.toLowerCase() === request.namespace && !p.terminating);
  return exists ? found([target]) : notFound;
}

/** Ready endpoints only, unless the service publishes not-ready ones (spec: "ready" endpoints). */
function isPublished(ep: DnsEndpoint, svc: DnsService | undefined): boolean {
  return ep.ready || svc?.publishNotReadyAddresses === true;
}

export function endpointHostname(ctx: Pick<Context, 'options'>, ep: DnsEndpoint, ip: string): string {
  if (ep.hostname) return ep.hostname;
  if (ctx.options.endpointPodNames && ep.targetPodName) return ep.targetPodName;
  return dashedIP(ip);
}

function serviceHost(ctx: Context, svc: { name: string; namespace: string }): string {
  return `${svc.name}.${svc.namespace}.svc.${ctx.zone}`;
}

/** A service or slice without ports still answers A queries; CoreDNS uses port -1 for that. */
function portsOrSentinel(ports: readonly DnsEndpointPort[]): readonly DnsEndpointPort[] {
  return ports.length ? ports : [{ name: '', port: -1, protocol: '' }];
}

function matchesPort(request: NameRecordRequest, port: DnsEndpointPort): boolean {
  return (
    (request.port === '' || request.port === port.name.toLowerCase()) &&
    (request.protocol === '' || request.protocol === port.protocol.toLowerCase())
  );
}

// ---- shaping targets into records ----

function addressRecords(ctx: Context, owner: string, type: 'A' | 'AAAA', targets: readonly Target[], depth: number): Answer[] {
  const records: Answer[] = [];
  const seen = new Set<string>();
  for (const target of targets) {
    if (target.kind === 'cname') {
      records.push(...cnameChain(ctx, owner, type, target.host, depth));
      continue;
    }
    const family = isIPv4(target.ip) ? 'A' : 'AAAA';
    if (family !== type || seen.has(target.ip)) continue;
    seen.add(target.ip);
    records.push({ type, name: owner, ttl: ctx.options.ttlSeconds, data: target.ip });
  }
  return records;
}

/**
 * The CNAME of an ExternalName service, followed while the target stays inside the zone. A target
 * outside the zone is left for the server, which may chase it upstream.
 */
function cnameChain(ctx: Context, owner: string, type: 'A' | 'AAAA', host: string, depth: number): Answer[] {
  if (normalizeName(owner) === host || depth >= maxCnameChain) return [];
  const cname = cnameRecord(ctx, owner, host);
  if (!isInside(host, ctx.zone)) return [cname];
  const request = parseQuery(host, ctx.zone);
  if (request.kind !== 'svc' && request.kind !== 'pod') return [];
  const next = lookupName(ctx, request);
  if (!next.exists) return [];
  const rest = addressRecords(ctx, host, type, next.targets, depth + 1);
  return rest.length ? [cname, ...rest] : [];
}

function srvRecords(ctx: Context, owner: string, targets: readonly Target[]): { records: Answer[]; extra: Answer[] } {
  const addresses = targets.filter((t): t is Extract<Target, { kind: 'address' }> => t.kind === 'address');
  // CoreDNS spreads a weight of 100 over all records of the same priority
  const weight = Math.max(1, Math.floor(100 / Math.max(1, addresses.length)));
  const records: Answer[] = [];
  const extra: Answer[] = [];
  const seenSrv = new Set<string>();
  const seenExtra = new Set<string>();
  for (const t of addresses) {
    if (t.port === -1) continue;
    const srvKey = `${t.host}|${t.port}`;
    if (!seenSrv.has(srvKey)) {
      seenSrv.add(srvKey);
      records.push({ type: 'SRV', name: owner, ttl: ctx.options.ttlSeconds, data: { priority: 0, weight, port: t.port, target: t.host } });
    }
    const extraKey = `${t.host}|${t.ip}`;
    if (!seenExtra.has(extraKey)) {
      seenExtra.add(extraKey);
      extra.push({ type: isIPv4(t.ip) ? 'A' : 'AAAA', name: t.host, ttl: ctx.options.ttlSeconds, data: t.ip });
    }
  }
  return { records, extra };
}

function cnameRecord(ctx: Context, owner: string, host: string): Answer {
  return { type: 'CNAME', name: owner, ttl: ctx.options.ttlSeconds, data: host };
}

function nsRecord(ctx: Context, owner: string): Answer {
  return { type: 'NS', name: owner, ttl: ctx.options.ttlSeconds, data: `ns.dns.${ctx.zone}` };
}

function nameserverAddresses(ctx: Context, types: readonly string[], owner = `ns.dns.${ctx.zone}`): Answer[] {
  return ctx.options.nameserverIPs.flatMap((ip): Answer[] => {
    const type = isIPv4(ip) ? 'A' : 'AAAA';
    return types.includes(type) ? [{ type, name: owner, ttl: ctx.options.ttlSeconds, data: ip }] : [];
  });
}

/** CoreDNS's SOA: TTL capped at 300, minimum = the plugin TTL, serial = last change of the view. */
function soaRecord(ctx: Context, zoneOwner: string): SoaAnswer {
  const zone = normalizeName(zoneOwner);
  return {
    type: 'SOA',
    name: zoneOwner,
    ttl: Math.min(ctx.options.ttlSeconds, 300),
    data: {
      mname: `ns.dns.${zone}`,
      rname: `hostmaster.${zone}`,
      serial: ctx.view.serial() >>> 0,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: ctx.options.ttlSeconds,
    },
  };
}

// ---- reverse names ----

function answerReverse(ctx: Context, qname: string, lower: string, type: string): DnsAnswer {
  const reverseZone = reverseZoneOf(lower)!;
  const soa = soaRecord(ctx, qname.slice(qname.length - reverseZone.length));
  const ip = ipFromReverseName(lower);
  const hosts = ip ? reverseHosts(ctx, ip) : [];
  if (hosts.length === 0) {
    const miss = negative(ctx.view.hasSynced() ? 'NXDOMAIN' : 'SERVFAIL', soa);
    return { ...miss, delegate: true };
  }
  if (type !== 'PTR') return negative('NOERROR', soa);
  return positive(hosts.map((host) => ({ type: 'PTR', name: qname, ttl: ctx.options.ttlSeconds, data: host })));
}

/** Cluster IPs first (one name), then every published endpoint with that address (reverse.go). */
function reverseHosts(ctx: Context, ip: string): string[] {
  const svc = ctx.view.servicesByIP(ip)[0];
  if (svc) return [serviceHost(ctx, svc)];
  const hosts = new Set<string>();
  for (const ep of ctx.view.endpointsByIP(ip)) {
    const owner = ctx.view.service(ep.namespace, ep.serviceName);
    if (!isPublished(ep, owner)) continue;
    hosts.add(`${endpointHostname(ctx, ep, ip)}.${serviceHost(ctx, { name: ep.serviceName, namespace: ep.namespace })}`);
  }
  return [...hosts];
}

// ---- response shapes ----

function isInside(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

function positive(answers: Answer[], additionals: Answer[] = []): DnsAnswer {
  return { rcode: 'NOERROR', authoritative: true, answers, authorities: [], additionals, delegate: false };
}

function negative(rcode: DnsRcode, soa: SoaAnswer): DnsAnswer {
  return { rcode, authoritative: true, answers: [], authorities: [soa], additionals: [], delegate: false };
}

function refused(delegate: boolean): DnsAnswer {
  return { rcode: 'REFUSED', authoritative: false, answers: [], authorities: [], additionals: [], delegate };
}
