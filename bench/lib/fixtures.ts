/** The objects the bench creates: small but shaped like what people really run. */
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';

export function pod(namespace: string, name: string, annotations?: Record<string, string>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'bench', tier: 'web' }, ...(annotations ? { annotations } : {}) },
    spec: {
      containers: [{
        name: 'app',
        image: 'nginx:1.27',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        resources: { requests: { cpu: '100m', memory: '64Mi' } },
      }],
    },
  };
}

/** A pod with generateName, so that one fixed request body creates a new pod every time. */
export function generatedPod(namespace: string): Pod {
  const p = pod(namespace, '');
  delete p.metadata!.name;
  p.metadata!.generateName = 'bench-';
  return p;
}

export function service(namespace: string, name: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  };
}

export function statefulSet(namespace: string, name: string, replicas: number, policy: 'Parallel' | 'OrderedReady'): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace },
    spec: {
      replicas,
      podManagementPolicy: policy,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}
