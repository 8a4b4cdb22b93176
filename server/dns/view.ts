/**
 * The read-only view the DNS code answers from. It is deliberately narrow, like CoreDNS's
 * dnsController: the DNS code never sees API objects or the store, only these stripped-down
 * records and the lookups the queries need. Tests hand-write a static fake of it.
 */

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

export interface DnsServicePort {
  /** '' for the single unnamed port a Service may have. */
  readonly name: string;
  readonly port: number;
  /** TCP, UDP or SCTP, as the API spells it. */
  readonly protocol: string;
}

export interface DnsService {
  readonly name: string;
  readonly namespace: string;
  readonly type: ServiceType;
  /** Empty for ExternalName; ['None'] is never stored, headless says that. */
  readonly clusterIPs: readonly string[];
  readonly headless: boolean;
  readonly ports: readonly DnsServicePort[];
  readonly publishNotReadyAddresses: boolean;
  readonly externalName?: string;
}

export interface DnsEndpointPort {
  readonly name: string;
  /** The resolved target port; -1 when the slice did not say (CoreDNS's sentinel). */
  readonly port: number;
  readonly protocol: string;
}

/** One EndpointSlice endpoint; the slice's ports are copied in because SRV needs them per endpoint. */
export interface DnsEndpoint {
  readonly serviceName: string;
  readonly namespace: string;
  readonly sliceName: string;
  readonly addresses: readonly string[];
  readonly hostname?: string;
  /** conditions.ready; an unset condition counts as ready, as the EndpointSlice API documents. */
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName?: string;
  readonly targetPodName?: string;
  readonly ports: readonly DnsEndpointPort[];
}

export interface DnsPod {
  readonly name: string;
  readonly namespace: string;
  readonly ips: readonly string[];
  readonly terminating: boolean;
}

export interface DnsView {
  service(namespace: string, name: string): DnsService | undefined;
  /** Every endpoint of every slice labelled for the service, ready or not. */
  endpoints(namespace: string, serviceName: string): readonly DnsEndpoint[];
  servicesByIP(ip: string): readonly DnsService[];
  endpointsByIP(ip: string): readonly DnsEndpoint[];
  podsByIP(ip: string): readonly DnsPod[];
  hasNamespace(namespace: string): boolean;
  /** False until every watched kind has delivered its initial list. */
  hasSynced(): boolean;
  /** Bumped on every applied change; the SOA serial is derived from it. */
  changeCount(): number;
  /** Seconds since the epoch of the last change, never going backwards; CoreDNS's SOA serial. */
  serial(): number;
}

/** The key CoreDNS indexes services and endpoints by. */
export function serviceKey(namespace: string, name: string): string {
  return `${name}.${namespace}`.toLowerCase();
}
