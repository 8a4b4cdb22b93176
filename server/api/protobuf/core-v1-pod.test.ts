import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../meta/errors.js';
import { decodeKubernetesProtobuf } from './envelope.js';
import { bool, encode, entry, envelope, freshMeta, int, str, sub, type Part } from './wire-builder.test-helper.js';

/** resource.Quantity {string = 1}. */
const quantity = (no: number, q: string): Part => sub(no, str(1, q));
/** A map<string, Quantity> entry. */
const qEntry = (no: number, key: string, q: string): Part => sub(no, str(1, key), quantity(2, q));
/** IntOrString {type = 1, intVal = 2, strVal = 3}, as gogo writes it: all three fields. */
const intOrString = (no: number, v: number | string): Part =>
  typeof v === 'number' ? sub(no, int(1, 0), int(2, v), str(3, '')) : sub(no, int(1, 1), int(2, 0), str(3, v));
/** LocalObjectReference, which Go embeds in the key selectors and configMap sources. */
const localRef = (no: number, name: string): Part => sub(no, str(1, name));

/** A Container as gogo writes it: every non-pointer field present, zero or not, then the given extras. */
const container = (no: number, name: string, image: string, ...extra: Part[]): Part => sub(no,
  str(1, name), str(2, image), str(5, ''), str(13, '/dev/termination-log'), str(14, 'IfNotPresent'),
  bool(16, false), bool(17, false), bool(18, false), str(20, 'File'), ...extra);

/** The PodStatus of a new pod as gogo writes it: the non-pointer scalars, all zero. */
const emptyStatus = sub(3, str(1, ''), str(3, ''), str(4, ''), str(5, ''), str(6, ''), str(9, ''), str(11, ''), str(14, ''), int(17, 0));

/** Probe: the embedded ProbeHandler is field 1, always written; the thresholds are non-pointer int32s. */
const httpProbe = (no: number, path: string, port: number | string): Part => sub(no,
  sub(1, sub(2, str(1, path), intOrString(2, port), str(3, ''), str(4, 'HTTP'), sub(5, str(1, 'X-Probe'), str(2, 'yes')))),
  int(2, 5), int(3, 1), int(4, 10), int(5, 1), int(6, 3));

describe('core/v1 Pod protobuf table', () => {
  it('decodes a rich Pod into the JSON a JSON client sends: embedded messages flattened, quantities as strings, gogo zeros dropped', () => {
    const app = container(2, 'app', 'nginx:1.27',
      str(3, 'nginx'), str(4, '-g'), str(4, 'daemon off;'),
      sub(6, str(1, 'http'), int(2, 0), int(3, 80), str(4, 'TCP'), str(5, '')),
      sub(7, str(1, 'POD_NAME'), str(2, ''), sub(3, sub(1, str(1, 'v1'), str(2, 'metadata.name')))),
      sub(7, str(1, 'MODE'), str(2, 'prod')),
      sub(7, str(1, 'CPU'), str(2, ''), sub(3, sub(2, str(1, ''), str(2, 'limits.cpu'), quantity(3, '1m')))),
      sub(7, str(1, 'PW'), str(2, ''), sub(3, sub(4, localRef(1, 'creds'), str(2, 'password'), bool(3, true)))),
      sub(19, str(1, 'CFG_'), sub(2, localRef(1, 'settings'))),
      sub(8, qEntry(1, 'cpu', '500m'), qEntry(1, 'memory', '128Mi'), qEntry(2, 'cpu', '100m')),
      sub(9, str(1, 'data'), bool(2, false), str(3, '/data'), str(4, ''), str(6, '')),
      sub(9, str(1, 'kube-api-access'), bool(2, true), str(3, '/var/run/secrets/kubernetes.io/serviceaccount'), str(4, ''), str(6, '')),
      httpProbe(10, '/healthz', 'http'),
      httpProbe(11, '/ready', 8080),
      sub(12, sub(2, sub(1, str(1, 'sh'), str(1, '-c'), str(1, 'nginx -s quit')))),
      sub(15, sub(1, str(1, 'NET_ADMIN'), str(2, 'ALL')), bool(2, false), bool(7, false), int(4, 1000)));

    const volumes = [
      sub(1, str(1, 'data'), sub(2, sub(1, str(1, '/srv/data'), str(2, 'DirectoryOrCreate')))),
      sub(1, str(1, 'kube-api-access'), sub(2, sub(26,
        sub(1, sub(4, str(1, ''), int(2, 3607), str(3, 'token'))),
        sub(1, sub(3, localRef(1, 'kube-root-ca.crt'), sub(2, str(1, 'ca.crt'), str(2, 'ca.crt')))),
        sub(1, sub(2, sub(1, str(1, 'namespace'), sub(2, str(1, 'v1'), str(2, 'metadata.namespace'))))),
        int(2, 420)))),
      sub(1, str(1, 'scratch'), sub(2, sub(2, str(1, 'Memory'), quantity(2, '64Mi')))),
    ];

    const affinity = sub(18,
      sub(1, sub(1, sub(1, sub(1, str(1, 'kubernetes.io/os'), str(2, 'In'), str(3, 'linux'), str(3, 'plan9'))))),
      sub(3, sub(2, int(1, 100), sub(2, sub(1, entry(1, 'app', 'web')), str(3, 'kubernetes.io/hostname')))));

    const spec = sub(2,
      ...volumes,
      app,
      sub(34, container(1, 'dbg', 'busybox', sub(8)), str(2, 'app')),
      str(3, 'Always'), int(4, 30), str(6, 'ClusterFirst'), entry(7, 'disk', 'ssd'), str(8, 'default'), str(9, ''), str(10, ''),
      bool(11, false), bool(12, true), bool(13, false),
      sub(14, int(2, 1000), bool(3, true), int(4, 1), int(4, 2), int(5, 2000), sub(7, str(1, 'net.core.somaxconn'), str(2, '1024')), sub(10, str(1, 'RuntimeDefault'))),
      str(16, ''), str(17, ''), affinity, str(19, 'default-scheduler'),
      sub(22, str(1, 'node.kubernetes.io/not-ready'), str(2, 'Exists'), str(3, ''), str(4, 'NoExecute'), int(5, 300)),
      sub(22, str(1, ''), str(2, 'Exists'), str(3, ''), str(4, '')),
      str(24, ''), int(25, 0), bool(30, true), str(31, 'PreemptLowerPriority'), bool(37, false));

    const raw = encode(sub(1, ...freshMeta('web-0', 'default'), entry(11, 'app', 'web')), spec, emptyStatus);
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'Pod', raw)), {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'web-0', namespace: 'default', labels: { app: 'web' } },
      spec: {
        volumes: [
          { name: 'data', hostPath: { path: '/srv/data', type: 'DirectoryOrCreate' } },
          {
            name: 'kube-api-access',
            projected: {
              sources: [
                { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
                { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
              ],
              defaultMode: 420,
            },
          },
          { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
        ],
        containers: [{
          name: 'app',
          image: 'nginx:1.27',
          command: ['nginx'],
          args: ['-g', 'daemon off;'],
          ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
            { name: 'MODE', value: 'prod' },
            { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
            { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'password', optional: true } } },
          ],
          envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'settings' } }],
          resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } },
          volumeMounts: [
            { name: 'data', mountPath: '/data' },
            { name: 'kube-api-access', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
          ],
          livenessProbe: {
            httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] },
            initialDelaySeconds: 5, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3,
          },
          readinessProbe: {
            httpGet: { path: '/ready', port: 8080, scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] },
            initialDelaySeconds: 5, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3,
          },
          lifecycle: { preStop: { exec: { command: ['sh', '-c', 'nginx -s quit'] } } },
          securityContext: { capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, privileged: false, allowPrivilegeEscalation: false, runAsUser: 1000 },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        }],
        ephemeralContainers: [{
          name: 'dbg', image: 'busybox', resources: {}, targetContainerName: 'app',
          terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent',
        }],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        nodeSelector: { disk: 'ssd' },
        serviceAccountName: 'default',
        hostPID: true,
        securityContext: {
          runAsUser: 1000, runAsNonRoot: true, supplementalGroups: [1, 2], fsGroup: 2000,
          sysctls: [{ name: 'net.core.somaxconn', value: '1024' }], seccompProfile: { type: 'RuntimeDefault' },
        },
        affinity: {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux', 'plan9'] }] }] } },
          podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' } }] },
        },
        schedulerName: 'default-scheduler',
        tolerations: [
          { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
          { operator: 'Exists' },
        ],
        priority: 0,
        enableServiceLinks: true,
        preemptionPolicy: 'PreemptLowerPriority',
        hostUsers: false,
      },
      status: {},
    });
  });

  it('decodes the node debugger pod of kubectl debug node/NAME (legacy profile)', () => {
    const raw = encode(
      sub(1, ...freshMeta('node-debugger-kind-worker-abcde', 'default')),
      sub(2,
        sub(1, str(1, 'host-root'), sub(2, sub(1, str(1, '/')))),
        container(2, 'debugger', 'busybox', str(3, 'sleep'), str(3, '3600'), sub(8),
          sub(9, str(1, 'host-root'), bool(2, false), str(3, '/host'), str(4, ''), str(6, ''))),
        str(3, 'Never'), str(6, ''), str(10, 'kind-worker'), bool(11, true), bool(12, true), bool(13, true),
        sub(22, str(1, ''), str(2, 'Exists'), str(3, ''), str(4, ''))),
      emptyStatus);
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'Pod', raw)), {
      kind: 'Pod', apiVersion: 'v1',
      metadata: { name: 'node-debugger-kind-worker-abcde', namespace: 'default' },
      spec: {
        volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
        containers: [{
          name: 'debugger', image: 'busybox', command: ['sleep', '3600'], resources: {},
          volumeMounts: [{ name: 'host-root', mountPath: '/host' }],
          terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent',
        }],
        restartPolicy: 'Never', nodeName: 'kind-worker', hostNetwork: true, hostPID: true, hostIPC: true,
        tolerations: [{ operator: 'Exists' }],
      },
      status: {},
    });
  });

  it('decodes map quantities with an empty value as Go\'s zero Quantity, "0"', () => {
    const raw = encode(sub(2, container(2, 'c', 'i', sub(8, qEntry(1, 'cpu', '2'), sub(2, str(1, 'memory')))), sub(32, str(1, 'cpu'), sub(2))));
    const spec = decodeKubernetesProtobuf(envelope('v1', 'Pod', raw)).spec as { containers: { resources: unknown }[]; overhead: unknown };
    assert.deepEqual(spec.containers[0].resources, { limits: { cpu: '2' }, requests: { memory: '0' } });
    assert.deepEqual(spec.overhead, { cpu: '0' });
  });

  it('refuses with a 415 a volume source it has no table for, and names fields of inline messages at the enclosing path', () => {
    const refused = (raw: Uint8Array): string => {
      try {
        decodeKubernetesProtobuf(envelope('v1', 'Pod', raw));
      } catch (e) {
        assert.ok(e instanceof StatusError);
        assert.equal(e.code, 415);
        return e.status.message ?? '';
      }
      assert.fail('expected a 415');
    };
    // nfs (VolumeSource field 7) is left out
    assert.match(refused(encode(sub(2, sub(1, str(1, 'v'), sub(2, sub(7, str(1, 'srv'))))))), /field number 7 of k8s\.io\.api\.core\.v1\.VolumeSource \(at spec\.volumes\)/);
    assert.match(refused(encode(sub(2, container(2, 'c', 'i', sub(10, sub(1, sub(9))))))), /field number 9 of k8s\.io\.api\.core\.v1\.ProbeHandler \(at spec\.containers\.livenessProbe\)/);
  });
});
