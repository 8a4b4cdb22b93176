/**
 * API objects shaped as the endpoint-slice controller and registry would store them, for the DNS
 * tests (unit and wire). They follow the seed: the headless `terra10-hs` service in `default`
 * with ports http-transporter 8090 and http-monitor 8092, and pods terra10-0 / terra10-1.
 */
import type { KubeObject, WatchEvent } from '../meta/types.js';

export interface EndpointFixture {
  ip: string;
  hostname?: string;
  podName?: string;
  ready?: boolean;
  terminating?: boolean;
}

export function namespaceObject(name: string): KubeObject {
  return { metadata: { name, uid: `ns-${name}` }, spec: {}, status: { phase: 'Active' } };
}

export function serviceObject(
  namespace: string,
  name: string,
  spec: { clusterIP?: string; type?: string; externalName?: string; ports?: { name?: string; port: number; protocol?: string }[]; publishNotReadyAddresses?: boolean },
): KubeObject {
  const clusterIP = spec.clusterIP;
  return {
    metadata: { namespace, name, uid: `svc-${namespace}-${name}` },
    spec: {
      type: spec.type ?? 'ClusterIP',
      ...(clusterIP ? { clusterIP, clusterIPs: [clusterIP] } : {}),
      ...(spec.externalName ? { externalName: spec.externalName } : {}),
      ports: (spec.ports ?? []).map((p) => ({ ...p, protocol: p.protocol ?? 'TCP', targetPort: p.port })),
      ...(spec.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
    },
    status: {},
  };
}

export function endpointSliceObject(
  namespace: string,
  serviceName: string,
  endpoints: EndpointFixture[],
  ports: { name: string; port: number; protocol?: string }[],
  sliceName = `${serviceName}-abcde`,
): KubeObject {
  return {
    metadata: {
      namespace,
      name: sliceName,
      labels: { 'kubernetes.io/service-name': serviceName, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
    },
    addressType: endpoints.some((e) => e.ip.includes(':')) ? 'IPv6' : 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.ready ?? true, terminating: e.terminating ?? false },
      ...(e.hostname ? { hostname: e.hostname } : {}),
      nodeName: 'node-1',
      ...(e.podName ? { targetRef: { kind: 'Pod', namespace, name: e.podName } } : {}),
    })),
    ports: ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' })),
  };
}

export function podObject(namespace: string, name: string, ip: string): KubeObject {
  return { metadata: { namespace, name }, spec: { containers: [] }, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } };
}

export const terra10Ports = [
  { name: 'http-transporter', port: 8090 },
  { name: 'http-monitor', port: 8092 },
];

export function terra10Endpoints(ips: [string, string] | [string]): EndpointFixture[] {
  return ips.map((ip, i) => ({ ip, hostname: `terra10-${i}`, podName: `terra10-${i}` }));
}

export const added = (object: KubeObject): WatchEvent => ({ type: 'ADDED', object });
export const modified = (object: KubeObject): WatchEvent => ({ type: 'MODIFIED', object });
export const deleted = (object: KubeObject): WatchEvent => ({ type: 'DELETED', object });
