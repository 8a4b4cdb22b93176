import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConversionError, fromProto, toProto } from './convert.js';
import { kindServices } from './gen/kinds.js';

// Objects shaped as the server stores and returns them: every special encoding appears at least
// once (IntOrString as int and string, Quantity, Time, MicroTime, FieldsV1, RawExtension, maps of
// messages, int64, booleans that are false and numbers that are 0, which proto3 must not drop).
const meta = (name: string, namespace?: string): Record<string, unknown> => ({
  name,
  ...(namespace ? { namespace } : {}),
  uid: '5f0c6c1e-0d7a-4f57-9a52-0c3c1b0f6a11',
  resourceVersion: '42',
  generation: 0,
  creationTimestamp: '2024-05-01T10:00:00Z',
  labels: { app: 'web', 'app.kubernetes.io/name': 'web' },
  annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"a":1}\n' },
  managedFields: [{
    manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '2024-05-01T10:00:00Z', fieldsType: 'FieldsV1',
    fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
  }],
  ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: '0b8b2c3e-1111-2222-3333-444455556666', controller: true, blockOwnerDeletion: false }],
  finalizers: ['kubernetes.io/pvc-protection'],
});

const podSpec = {
  containers: [{
    name: 'nginx', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'web', containerPort: 80, protocol: 'TCP' }],
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
    readinessProbe: { httpGet: { path: '/', port: 'web', scheme: 'HTTP' }, periodSeconds: 10, failureThreshold: 3, successThreshold: 1, timeoutSeconds: 1, initialDelaySeconds: 0 },
    livenessProbe: { tcpSocket: { port: 80 } },
    env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
    volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html', readOnly: false }],
    terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    securityContext: { runAsUser: 1000, privileged: false, capabilities: { drop: ['ALL'] } },
  }],
  restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler',
  securityContext: { fsGroup: 2000, supplementalGroups: [3000] }, hostname: 'web-0', subdomain: 'nginx', enableServiceLinks: true,
  volumes: [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }, { name: 'tmp', emptyDir: {} }],
  tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
  affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } } }] } },
};

const samples: Record<string, Record<string, unknown>> = {
  Namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: meta('team-a'), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
  Pod: {
    apiVersion: 'v1', kind: 'Pod', metadata: meta('web-0', 'default'), spec: { ...podSpec, nodeName: 'node-1' },
    status: {
      phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }], hostIP: '172.18.0.2', qosClass: 'Burstable', startTime: '2024-05-01T10:00:01Z',
      conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-05-01T10:00:05Z' }],
      containerStatuses: [{ name: 'nginx', ready: true, started: true, restartCount: 0, image: 'nginx:1.25', imageID: 'docker.io/library/nginx@sha256:abc', containerID: 'containerd://abc', state: { running: { startedAt: '2024-05-01T10:00:03Z' } }, lastState: {} }],
    },
  },
  Service: {
    apiVersion: 'v1', kind: 'Service', metadata: meta('nginx', 'default'),
    spec: {
      type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'web' }, sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster', publishNotReadyAddresses: false,
      ports: [{ name: 'web', port: 80, targetPort: 'web', protocol: 'TCP' }, { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP', nodePort: 30090 }],
    },
    status: { loadBalancer: {} },
  },
  Endpoints: {
    apiVersion: 'v1', kind: 'Endpoints', metadata: meta('nginx', 'default'),
    subsets: [{ addresses: [{ ip: '10.244.0.5', hostname: 'web-0', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u1' } }], notReadyAddresses: [{ ip: '10.244.0.6' }], ports: [{ name: 'web', port: 80, protocol: 'TCP' }] }],
  },
  PersistentVolumeClaim: {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('www-web-0', 'default'),
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard', volumeMode: 'Filesystem', volumeName: 'pvc-1' },
    status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } },
  },
  PersistentVolume: {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: meta('pvc-1'),
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'standard', hostPath: { path: '/var/lib/kubemock/pvc-1', type: 'DirectoryOrCreate' }, claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'www-web-0', uid: 'u2', resourceVersion: '40' }, volumeMode: 'Filesystem' },
    status: { phase: 'Bound', lastPhaseTransitionTime: '2024-05-01T10:00:02Z' },
  },
  StorageClass: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: meta('standard'), provisioner: 'kubemock.io/hostpath', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: false, parameters: { type: 'local' } },
  StatefulSet: {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { ...meta('web', 'default'), generation: 3 },
    spec: {
      replicas: 0, serviceName: 'nginx', podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10, minReadySeconds: 0,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] },
      template: { metadata: { labels: { app: 'web' } }, spec: podSpec },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: '50%' } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      volumeClaimTemplates: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } }],
    },
    status: { replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0, observedGeneration: 3, currentRevision: 'web-7d4b9c', updateRevision: 'web-7d4b9c', collisionCount: 0 },
  },
  ControllerRevision: {
    apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: meta('web-7d4b9c', 'default'), revision: 2,
    data: { spec: { template: { $patch: 'replace', metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } } },
  },
  Event: {
    apiVersion: 'v1', kind: 'Event', metadata: meta('web-0.17c8a', 'default'),
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u1', apiVersion: 'v1', resourceVersion: '41', fieldPath: 'spec.containers{nginx}' },
    reason: 'Pulled', message: 'Container image "nginx:1.25" already present on machine', type: 'Normal', count: 2,
    firstTimestamp: '2024-05-01T10:00:02Z', lastTimestamp: '2024-05-01T10:00:09Z', eventTime: '2024-05-01T10:00:02.123456Z',
    source: { component: 'kubelet', host: 'node-1' }, reportingComponent: 'kubelet', reportingInstance: 'node-1',
    series: { count: 2, lastObservedTime: '2024-05-01T10:00:09.000001Z' },
  },
  ConfigMap: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('conf', 'default'), data: { 'nginx.conf': 'events {}\n', empty: '' }, binaryData: { 'logo.png': 'iVBORw0KGgo=' }, immutable: false },
  Secret: { apiVersion: 'v1', kind: 'Secret', metadata: meta('creds', 'default'), type: 'Opaque', data: { password: 'czNjcjN0' }, immutable: true },
  Node: {
    apiVersion: 'v1', kind: 'Node', metadata: meta('node-1'),
    spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'], taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: '2024-05-01T10:00:00Z' }], unschedulable: false },
    status: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' }, allocatable: { cpu: '3800m', memory: '7Gi', pods: '110' },
      addresses: [{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: 'node-1' }],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: '2024-05-01T10:00:00Z', lastTransitionTime: '2024-05-01T10:00:00Z' }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: { machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: '6.1', osImage: 'Debian', containerRuntimeVersion: 'containerd://1.7', kubeletVersion: 'v1.32.0', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64' },
      images: [{ names: ['nginx:1.25'], sizeBytes: 70000000000 }],
    },
  },
  EndpointSlice: {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta('nginx-abc12', 'default'), addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.0.5'], conditions: { ready: true, serving: true, terminating: false }, hostname: 'web-0', nodeName: 'node-1', targetRef: { kind: 'Pod', name: 'web-0', namespace: 'default' }, zone: 'z1', hints: { forZones: [{ name: 'z1' }] } }],
    ports: [{ name: 'web', port: 80, protocol: 'TCP', appProtocol: 'http' }],
  },
  ServiceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', 'default'), secrets: [{ name: 'default-token' }], automountServiceAccountToken: false },
  PodDisruptionBudget: {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('web', 'default'),
    spec: { maxUnavailable: '25%', selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    status: {
      observedGeneration: 3, disruptedPods: { 'web-0': '2024-05-01T10:00:00Z' }, disruptionsAllowed: 1, currentHealthy: 4, desiredHealthy: 3, expectedPods: 4,
      conditions: [{ type: 'DisruptionAllowed', status: 'True', observedGeneration: 3, lastTransitionTime: '2024-05-01T10:00:00Z', reason: 'SufficientPods', message: '' }],
    },
  },
};

/** JSON → proto object → wire bytes → proto object → JSON, through the generated codec of the kind's Get. */
function roundTrip(row: (typeof kindServices)[number], obj: Record<string, unknown>): { back: Record<string, unknown>; dropped: string[] } {
  const dropped: string[] = [];
  const proto = toProto(row.message, obj, { dropped });
  const get = row.service.get;
  const bytes = (get.responseSerialize as (v: unknown) => Buffer)(proto);
  const decoded = (get.responseDeserialize as (b: Buffer) => unknown)(bytes);
  return { back: fromProto(row.message, decoded), dropped };
}

/** A null in JSON means absent; proto keeps no nulls. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
  return v;
}

test('every served kind has a sample', () => {
  assert.deepEqual(kindServices.map((r) => r.kind).sort(), Object.keys(samples).sort());
});

for (const row of kindServices) {
  test(`${row.kind}: JSON → proto → JSON is lossless`, () => {
    const sample = samples[row.kind];
    const { back, dropped } = roundTrip(row, sample);
    assert.deepEqual(dropped, []);
    assert.deepEqual(back, withoutNulls(sample));
  });
}

test('IntOrString keeps int and string apart, and Quantity keeps its text', () => {
  const svc = samples.Service;
  const proto = toProto('kubemock.v1.Service', svc);
  const ports = (proto.spec as { ports: { targetPort: unknown }[] }).ports;
  assert.deepEqual(ports.map((p) => p.targetPort), [{ intVal: undefined, strVal: 'web' }, { intVal: 9090, strVal: undefined }]);
  const pvc = toProto('kubemock.v1.PersistentVolumeClaim', { spec: { resources: { requests: { storage: '1.5Gi' } } } });
  assert.equal((fromProto('kubemock.v1.PersistentVolumeClaim', pvc).spec as { resources: { requests: { storage: string } } }).resources.requests.storage, '1.5Gi');
});

test('empty lists and maps come back absent (proto cannot tell them from unset)', () => {
  const { back } = roundTrip(kindServices.find((r) => r.kind === 'ConfigMap')!, { metadata: { name: 'x', finalizers: [], labels: {} }, data: {} });
  assert.deepEqual(back, { metadata: { name: 'x' } });
});

test('unknown fields are reported as dropped; wrong types fail with the path', () => {
  const dropped: string[] = [];
  toProto('kubemock.v1.ConfigMap', { metadata: { name: 'x', bogus: 1 }, extra: true }, { dropped });
  assert.deepEqual(dropped.sort(), ['.extra', '.metadata.bogus']);
  assert.throws(() => toProto('kubemock.v1.StatefulSet', { spec: { replicas: 'three' } }), (e: unknown) => e instanceof ConversionError && e.path === '.spec.replicas');
  assert.throws(() => toProto('kubemock.v1.Service', { spec: { ports: [{ targetPort: 1.5 }] } }), ConversionError);
});
