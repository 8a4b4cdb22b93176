/**
 * Field tables for the core/v1 Pod kubectl's typed clientset sends as protobuf (kubectl debug --copy-to and
 * kubectl debug node/NAME create one), written from reading k8s.io/api core/v1 generated.proto and types.go.
 * `nullable` marks Go pointer fields (see FieldSpec.nullable); `inline` marks Go embedded structs whose fields are
 * the enclosing object's in JSON (ProbeHandler in Probe, VolumeSource in Volume, LocalObjectReference in the
 * key selectors and configMap sources, EphemeralContainerCommon in EphemeralContainer).
 *
 * Volume sources other than those listed in `volumeSource` are left out: a body carrying one is refused with a 415
 * naming the field number, rather than stored without it.
 */
import { localObjectReference } from './core-v1.js';
import { labelSelector, objectMeta } from './meta-v1.js';
import { inline, message, msg, nullable, repeated, type FieldType } from './schema.js';

const quantities: FieldType = { map: 'quantity' };

const localRef = msg(localObjectReference);

// Environment

const objectFieldSelector = message('k8s.io.api.core.v1.ObjectFieldSelector', [
  [1, 'apiVersion', 'string'],
  [2, 'fieldPath', 'string'],
]);

const resourceFieldSelector = message('k8s.io.api.core.v1.ResourceFieldSelector', [
  [1, 'containerName', 'string'],
  [2, 'resource', 'string'],
  [3, 'divisor', 'quantity'],
]);

const keySelector = (kind: 'ConfigMap' | 'Secret') => message(`k8s.io.api.core.v1.${kind}KeySelector`, [
  [1, 'localObjectReference', localRef, inline],
  [2, 'key', 'string'],
  [3, 'optional', 'bool', nullable],
]);

const fileKeySelector = message('k8s.io.api.core.v1.FileKeySelector', [
  [1, 'volumeName', 'string'],
  [2, 'path', 'string'],
  [3, 'key', 'string'],
  [4, 'optional', 'bool', nullable],
]);

const envVarSource = message('k8s.io.api.core.v1.EnvVarSource', [
  [1, 'fieldRef', msg(objectFieldSelector), nullable],
  [2, 'resourceFieldRef', msg(resourceFieldSelector), nullable],
  [3, 'configMapKeyRef', msg(keySelector('ConfigMap')), nullable],
  [4, 'secretKeyRef', msg(keySelector('Secret')), nullable],
  [5, 'fileKeyRef', msg(fileKeySelector), nullable],
]);

const envVar = message('k8s.io.api.core.v1.EnvVar', [
  [1, 'name', 'string'],
  [2, 'value', 'string'],
  [3, 'valueFrom', msg(envVarSource), nullable],
]);

const envSource = (kind: 'ConfigMap' | 'Secret') => message(`k8s.io.api.core.v1.${kind}EnvSource`, [
  [1, 'localObjectReference', localRef, inline],
  [2, 'optional', 'bool', nullable],
]);

const envFromSource = message('k8s.io.api.core.v1.EnvFromSource', [
  [1, 'prefix', 'string'],
  [2, 'configMapRef', msg(envSource('ConfigMap')), nullable],
  [3, 'secretRef', msg(envSource('Secret')), nullable],
]);

// Resources

const resourceClaim = message('k8s.io.api.core.v1.ResourceClaim', [
  [1, 'name', 'string'],
  [2, 'request', 'string'],
]);

const resourceRequirements = message('k8s.io.api.core.v1.ResourceRequirements', [
  [1, 'limits', quantities],
  [2, 'requests', quantities],
  [3, 'claims', msg(resourceClaim), repeated],
]);

const containerResizePolicy = message('k8s.io.api.core.v1.ContainerResizePolicy', [
  [1, 'resourceName', 'string'],
  [2, 'restartPolicy', 'string'],
]);

const containerRestartRule = message('k8s.io.api.core.v1.ContainerRestartRule', [
  [1, 'action', 'string'],
  [2, 'exitCodes', msg(message('k8s.io.api.core.v1.ContainerRestartRuleOnExitCodes', [
    [1, 'operator', 'string'],
    [2, 'values', 'int32', repeated],
  ])), nullable],
]);

// Mounts

const volumeMount = message('k8s.io.api.core.v1.VolumeMount', [
  [1, 'name', 'string'],
  [2, 'readOnly', 'bool'],
  [7, 'recursiveReadOnly', 'string', nullable],
  [3, 'mountPath', 'string'],
  [4, 'subPath', 'string'],
  [5, 'mountPropagation', 'string', nullable],
  [6, 'subPathExpr', 'string'],
  [8, 'bindMountOptions', 'string', repeated],
]);

const volumeDevice = message('k8s.io.api.core.v1.VolumeDevice', [
  [1, 'name', 'string'],
  [2, 'devicePath', 'string'],
]);

// Probes and lifecycle hooks

const execAction = message('k8s.io.api.core.v1.ExecAction', [[1, 'command', 'string', repeated]]);

const httpGetAction = message('k8s.io.api.core.v1.HTTPGetAction', [
  [1, 'path', 'string'],
  [2, 'port', 'intOrString'],
  [3, 'host', 'string'],
  [4, 'scheme', 'string'],
  [5, 'httpHeaders', msg(message('k8s.io.api.core.v1.HTTPHeader', [[1, 'name', 'string'], [2, 'value', 'string']])), repeated],
  [6, 'protocol', 'string', nullable],
]);

const tcpSocketAction = message('k8s.io.api.core.v1.TCPSocketAction', [
  [1, 'port', 'intOrString'],
  [2, 'host', 'string'],
]);

const grpcAction = message('k8s.io.api.core.v1.GRPCAction', [
  [1, 'port', 'int32'],
  [2, 'service', 'string', nullable],
  [3, 'mode', 'string', nullable],
]);

const probeHandler = message('k8s.io.api.core.v1.ProbeHandler', [
  [1, 'exec', msg(execAction), nullable],
  [2, 'httpGet', msg(httpGetAction), nullable],
  [3, 'tcpSocket', msg(tcpSocketAction), nullable],
  [4, 'grpc', msg(grpcAction), nullable],
]);

const probe = message('k8s.io.api.core.v1.Probe', [
  [1, 'handler', msg(probeHandler), inline],
  [2, 'initialDelaySeconds', 'int32'],
  [3, 'timeoutSeconds', 'int32'],
  [4, 'periodSeconds', 'int32'],
  [5, 'successThreshold', 'int32'],
  [6, 'failureThreshold', 'int32'],
  [7, 'terminationGracePeriodSeconds', 'int64', nullable],
]);

const lifecycleHandler = message('k8s.io.api.core.v1.LifecycleHandler', [
  [1, 'exec', msg(execAction), nullable],
  [2, 'httpGet', msg(httpGetAction), nullable],
  [3, 'tcpSocket', msg(tcpSocketAction), nullable],
  [4, 'sleep', msg(message('k8s.io.api.core.v1.SleepAction', [[1, 'seconds', 'int64']])), nullable],
]);

const lifecycle = message('k8s.io.api.core.v1.Lifecycle', [
  [1, 'postStart', msg(lifecycleHandler), nullable],
  [2, 'preStop', msg(lifecycleHandler), nullable],
  [3, 'stopSignal', 'string', nullable],
]);

// Security contexts

const seLinuxOptions = message('k8s.io.api.core.v1.SELinuxOptions', [
  [1, 'user', 'string'],
  [2, 'role', 'string'],
  [3, 'type', 'string'],
  [4, 'level', 'string'],
]);

const windowsOptions = message('k8s.io.api.core.v1.WindowsSecurityContextOptions', [
  [1, 'gmsaCredentialSpecName', 'string', nullable],
  [2, 'gmsaCredentialSpec', 'string', nullable],
  [3, 'runAsUserName', 'string', nullable],
  [4, 'hostProcess', 'bool', nullable],
]);

const profile = (name: 'SeccompProfile' | 'AppArmorProfile') => message(`k8s.io.api.core.v1.${name}`, [
  [1, 'type', 'string'],
  [2, 'localhostProfile', 'string', nullable],
]);

const securityContext = message('k8s.io.api.core.v1.SecurityContext', [
  [1, 'capabilities', msg(message('k8s.io.api.core.v1.Capabilities', [[1, 'add', 'string', repeated], [2, 'drop', 'string', repeated]])), nullable],
  [2, 'privileged', 'bool', nullable],
  [3, 'seLinuxOptions', msg(seLinuxOptions), nullable],
  [10, 'windowsOptions', msg(windowsOptions), nullable],
  [4, 'runAsUser', 'int64', nullable],
  [8, 'runAsGroup', 'int64', nullable],
  [5, 'runAsNonRoot', 'bool', nullable],
  [6, 'readOnlyRootFilesystem', 'bool', nullable],
  [7, 'allowPrivilegeEscalation', 'bool', nullable],
  [9, 'procMount', 'string', nullable],
  [11, 'seccompProfile', msg(profile('SeccompProfile')), nullable],
  [12, 'appArmorProfile', msg(profile('AppArmorProfile')), nullable],
]);

const podSecurityContext = message('k8s.io.api.core.v1.PodSecurityContext', [
  [1, 'seLinuxOptions', msg(seLinuxOptions), nullable],
  [8, 'windowsOptions', msg(windowsOptions), nullable],
  [2, 'runAsUser', 'int64', nullable],
  [6, 'runAsGroup', 'int64', nullable],
  [3, 'runAsNonRoot', 'bool', nullable],
  [4, 'supplementalGroups', 'int64', repeated],
  [12, 'supplementalGroupsPolicy', 'string', nullable],
  [5, 'fsGroup', 'int64', nullable],
  [7, 'sysctls', msg(message('k8s.io.api.core.v1.Sysctl', [[1, 'name', 'string'], [2, 'value', 'string']])), repeated],
  [9, 'fsGroupChangePolicy', 'string', nullable],
  [10, 'seccompProfile', msg(profile('SeccompProfile')), nullable],
  [11, 'appArmorProfile', msg(profile('AppArmorProfile')), nullable],
  [13, 'seLinuxChangePolicy', 'string', nullable],
]);

// Containers: EphemeralContainerCommon has exactly Container's fields.

const containerFields = (name: string) => message(name, [
  [1, 'name', 'string'],
  [2, 'image', 'string'],
  [3, 'command', 'string', repeated],
  [4, 'args', 'string', repeated],
  [5, 'workingDir', 'string'],
  [6, 'ports', msg(message('k8s.io.api.core.v1.ContainerPort', [
    [1, 'name', 'string'],
    [2, 'hostPort', 'int32'],
    [3, 'containerPort', 'int32'],
    [4, 'protocol', 'string'],
    [5, 'hostIP', 'string'],
  ])), repeated],
  [19, 'envFrom', msg(envFromSource), repeated],
  [7, 'env', msg(envVar), repeated],
  [8, 'resources', msg(resourceRequirements)],
  [23, 'resizePolicy', msg(containerResizePolicy), repeated],
  [24, 'restartPolicy', 'string', nullable],
  [25, 'restartPolicyRules', msg(containerRestartRule), repeated],
  [9, 'volumeMounts', msg(volumeMount), repeated],
  [21, 'volumeDevices', msg(volumeDevice), repeated],
  [10, 'livenessProbe', msg(probe), nullable],
  [11, 'readinessProbe', msg(probe), nullable],
  [22, 'startupProbe', msg(probe), nullable],
  [12, 'lifecycle', msg(lifecycle), nullable],
  [13, 'terminationMessagePath', 'string'],
  [20, 'terminationMessagePolicy', 'string'],
  [14, 'imagePullPolicy', 'string'],
  [15, 'securityContext', msg(securityContext), nullable],
  [16, 'stdin', 'bool'],
  [17, 'stdinOnce', 'bool'],
  [18, 'tty', 'bool'],
]);

const container = containerFields('k8s.io.api.core.v1.Container');

const ephemeralContainer = message('k8s.io.api.core.v1.EphemeralContainer', [
  [1, 'ephemeralContainerCommon', msg(containerFields('k8s.io.api.core.v1.EphemeralContainerCommon')), inline],
  [2, 'targetContainerName', 'string'],
]);

// Volumes

const keyToPath = message('k8s.io.api.core.v1.KeyToPath', [
  [1, 'key', 'string'],
  [2, 'path', 'string'],
  [3, 'mode', 'int32', nullable],
  [4, 'user', 'int64', nullable],
]);

const downwardAPIVolumeFile = message('k8s.io.api.core.v1.DownwardAPIVolumeFile', [
  [1, 'path', 'string'],
  [2, 'fieldRef', msg(objectFieldSelector), nullable],
  [3, 'resourceFieldRef', msg(resourceFieldSelector), nullable],
  [4, 'mode', 'int32', nullable],
  [5, 'user', 'int64', nullable],
]);

const objectProjection = (kind: 'ConfigMap' | 'Secret') => message(`k8s.io.api.core.v1.${kind}Projection`, [
  [1, 'localObjectReference', localRef, inline],
  [2, 'items', msg(keyToPath), repeated],
  [4, 'optional', 'bool', nullable],
]);

const volumeProjection = message('k8s.io.api.core.v1.VolumeProjection', [
  [1, 'secret', msg(objectProjection('Secret')), nullable],
  [2, 'downwardAPI', msg(message('k8s.io.api.core.v1.DownwardAPIProjection', [[1, 'items', msg(downwardAPIVolumeFile), repeated]])), nullable],
  [3, 'configMap', msg(objectProjection('ConfigMap')), nullable],
  [4, 'serviceAccountToken', msg(message('k8s.io.api.core.v1.ServiceAccountTokenProjection', [
    [1, 'audience', 'string'],
    [2, 'expirationSeconds', 'int64', nullable],
    [3, 'path', 'string'],
    [4, 'user', 'int64', nullable],
  ])), nullable],
  [5, 'clusterTrustBundle', msg(message('k8s.io.api.core.v1.ClusterTrustBundleProjection', [
    [1, 'name', 'string', nullable],
    [2, 'signerName', 'string', nullable],
    [3, 'labelSelector', msg(labelSelector), nullable],
    [5, 'optional', 'bool', nullable],
    [4, 'path', 'string'],
    [6, 'user', 'int64', nullable],
  ])), nullable],
  [6, 'podCertificate', msg(message('k8s.io.api.core.v1.PodCertificateProjection', [
    [1, 'signerName', 'string'],
    [2, 'keyType', 'string'],
    [3, 'maxExpirationSeconds', 'int32', nullable],
    [4, 'credentialBundlePath', 'string'],
    [5, 'keyPath', 'string'],
    [6, 'certificateChainPath', 'string'],
    [7, 'userAnnotations', { map: 'string' }],
    [8, 'user', 'int64', nullable],
  ])), nullable],
]);

const typedLocalObjectReference = message('k8s.io.api.core.v1.TypedLocalObjectReference', [
  [1, 'apiGroup', 'string', nullable],
  [2, 'kind', 'string'],
  [3, 'name', 'string'],
]);

const typedObjectReference = message('k8s.io.api.core.v1.TypedObjectReference', [
  [1, 'apiGroup', 'string', nullable],
  [2, 'kind', 'string'],
  [3, 'name', 'string'],
  [4, 'namespace', 'string', nullable],
]);

const persistentVolumeClaimSpec = message('k8s.io.api.core.v1.PersistentVolumeClaimSpec', [
  [1, 'accessModes', 'string', repeated],
  [4, 'selector', msg(labelSelector), nullable],
  [2, 'resources', msg(message('k8s.io.api.core.v1.VolumeResourceRequirements', [[1, 'limits', quantities], [2, 'requests', quantities]]))],
  [3, 'volumeName', 'string'],
  [5, 'storageClassName', 'string', nullable],
  [6, 'volumeMode', 'string', nullable],
  [7, 'dataSource', msg(typedLocalObjectReference), nullable],
  [8, 'dataSourceRef', msg(typedObjectReference), nullable],
  [9, 'volumeAttributesClassName', 'string', nullable],
]);

const ephemeralVolumeSource = message('k8s.io.api.core.v1.EphemeralVolumeSource', [
  [1, 'volumeClaimTemplate', msg(message('k8s.io.api.core.v1.PersistentVolumeClaimTemplate', [
    [1, 'metadata', msg(objectMeta)],
    [2, 'spec', msg(persistentVolumeClaimSpec)],
  ])), nullable],
]);

const volumeSource = message('k8s.io.api.core.v1.VolumeSource', [
  [1, 'hostPath', msg(message('k8s.io.api.core.v1.HostPathVolumeSource', [
    [1, 'path', 'string'],
    [2, 'type', 'string', nullable],
  ])), nullable],
  [2, 'emptyDir', msg(message('k8s.io.api.core.v1.EmptyDirVolumeSource', [
    [1, 'medium', 'string'],
    [2, 'sizeLimit', 'quantity', nullable],
    [3, 'mode', 'int32', nullable],
  ])), nullable],
  [6, 'secret', msg(message('k8s.io.api.core.v1.SecretVolumeSource', [
    [1, 'secretName', 'string'],
    [2, 'items', msg(keyToPath), repeated],
    [3, 'defaultMode', 'int32', nullable],
    [4, 'optional', 'bool', nullable],
    [5, 'defaultUser', 'int64', nullable],
  ])), nullable],
  [10, 'persistentVolumeClaim', msg(message('k8s.io.api.core.v1.PersistentVolumeClaimVolumeSource', [
    [1, 'claimName', 'string'],
    [2, 'readOnly', 'bool'],
  ])), nullable],
  [16, 'downwardAPI', msg(message('k8s.io.api.core.v1.DownwardAPIVolumeSource', [
    [1, 'items', msg(downwardAPIVolumeFile), repeated],
    [2, 'defaultMode', 'int32', nullable],
    [3, 'defaultUser', 'int64', nullable],
  ])), nullable],
  [19, 'configMap', msg(message('k8s.io.api.core.v1.ConfigMapVolumeSource', [
    [1, 'localObjectReference', localRef, inline],
    [2, 'items', msg(keyToPath), repeated],
    [3, 'defaultMode', 'int32', nullable],
    [4, 'optional', 'bool', nullable],
    [5, 'defaultUser', 'int64', nullable],
  ])), nullable],
  [26, 'projected', msg(message('k8s.io.api.core.v1.ProjectedVolumeSource', [
    [1, 'sources', msg(volumeProjection), repeated],
    [2, 'defaultMode', 'int32', nullable],
    [3, 'defaultUser', 'int64', nullable],
  ])), nullable],
  [28, 'csi', msg(message('k8s.io.api.core.v1.CSIVolumeSource', [
    [1, 'driver', 'string'],
    [2, 'readOnly', 'bool', nullable],
    [3, 'fsType', 'string', nullable],
    [4, 'volumeAttributes', { map: 'string' }],
    [5, 'nodePublishSecretRef', localRef, nullable],
  ])), nullable],
  [29, 'ephemeral', msg(ephemeralVolumeSource), nullable],
  [30, 'image', msg(message('k8s.io.api.core.v1.ImageVolumeSource', [
    [1, 'reference', 'string'],
    [2, 'pullPolicy', 'string'],
  ])), nullable],
]);

const volume = message('k8s.io.api.core.v1.Volume', [
  [1, 'name', 'string'],
  [2, 'volumeSource', msg(volumeSource), inline],
]);

// Scheduling

const nodeSelectorRequirement = message('k8s.io.api.core.v1.NodeSelectorRequirement', [
  [1, 'key', 'string'],
  [2, 'operator', 'string'],
  [3, 'values', 'string', repeated],
]);

const nodeSelectorTerm = message('k8s.io.api.core.v1.NodeSelectorTerm', [
  [1, 'matchExpressions', msg(nodeSelectorRequirement), repeated],
  [2, 'matchFields', msg(nodeSelectorRequirement), repeated],
]);

const nodeAffinity = message('k8s.io.api.core.v1.NodeAffinity', [
  [1, 'requiredDuringSchedulingIgnoredDuringExecution', msg(message('k8s.io.api.core.v1.NodeSelector', [
    [1, 'nodeSelectorTerms', msg(nodeSelectorTerm), repeated],
  ])), nullable],
  [2, 'preferredDuringSchedulingIgnoredDuringExecution', msg(message('k8s.io.api.core.v1.PreferredSchedulingTerm', [
    [1, 'weight', 'int32'],
    [2, 'preference', msg(nodeSelectorTerm)],
  ])), repeated],
]);

const podAffinityTerm = message('k8s.io.api.core.v1.PodAffinityTerm', [
  [1, 'labelSelector', msg(labelSelector), nullable],
  [2, 'namespaces', 'string', repeated],
  [3, 'topologyKey', 'string'],
  [4, 'namespaceSelector', msg(labelSelector), nullable],
  [5, 'matchLabelKeys', 'string', repeated],
  [6, 'mismatchLabelKeys', 'string', repeated],
]);

const weightedPodAffinityTerm = message('k8s.io.api.core.v1.WeightedPodAffinityTerm', [
  [1, 'weight', 'int32'],
  [2, 'podAffinityTerm', msg(podAffinityTerm)],
]);

const podAffinity = (name: 'PodAffinity' | 'PodAntiAffinity') => message(`k8s.io.api.core.v1.${name}`, [
  [1, 'requiredDuringSchedulingIgnoredDuringExecution', msg(podAffinityTerm), repeated],
  [2, 'preferredDuringSchedulingIgnoredDuringExecution', msg(weightedPodAffinityTerm), repeated],
]);

const affinity = message('k8s.io.api.core.v1.Affinity', [
  [1, 'nodeAffinity', msg(nodeAffinity), nullable],
  [2, 'podAffinity', msg(podAffinity('PodAffinity')), nullable],
  [3, 'podAntiAffinity', msg(podAffinity('PodAntiAffinity')), nullable],
]);

const toleration = message('k8s.io.api.core.v1.Toleration', [
  [1, 'key', 'string'],
  [2, 'operator', 'string'],
  [3, 'value', 'string'],
  [4, 'effect', 'string'],
  [5, 'tolerationSeconds', 'int64', nullable],
]);

const topologySpreadConstraint = message('k8s.io.api.core.v1.TopologySpreadConstraint', [
  [1, 'maxSkew', 'int32'],
  [2, 'topologyKey', 'string'],
  [3, 'whenUnsatisfiable', 'string'],
  [4, 'labelSelector', msg(labelSelector), nullable],
  [5, 'minDomains', 'int32', nullable],
  [6, 'nodeAffinityPolicy', 'string', nullable],
  [7, 'nodeTaintsPolicy', 'string', nullable],
  [8, 'matchLabelKeys', 'string', repeated],
]);

// The rest of PodSpec

const podDNSConfig = message('k8s.io.api.core.v1.PodDNSConfig', [
  [1, 'nameservers', 'string', repeated],
  [2, 'searches', 'string', repeated],
  [3, 'options', msg(message('k8s.io.api.core.v1.PodDNSConfigOption', [
    [1, 'name', 'string'],
    [2, 'value', 'string', nullable],
  ])), repeated],
]);

const podResourceClaim = message('k8s.io.api.core.v1.PodResourceClaim', [
  [1, 'name', 'string'],
  [3, 'resourceClaimName', 'string', nullable],
  [4, 'resourceClaimTemplateName', 'string', nullable],
]);

const named = (name: string) => message(`k8s.io.api.core.v1.${name}`, [[1, 'name', 'string']]);

export const podSpec = message('k8s.io.api.core.v1.PodSpec', [
  [1, 'volumes', msg(volume), repeated],
  [20, 'initContainers', msg(container), repeated],
  [2, 'containers', msg(container), repeated],
  [34, 'ephemeralContainers', msg(ephemeralContainer), repeated],
  [3, 'restartPolicy', 'string'],
  [4, 'terminationGracePeriodSeconds', 'int64', nullable],
  [5, 'activeDeadlineSeconds', 'int64', nullable],
  [6, 'dnsPolicy', 'string'],
  [7, 'nodeSelector', { map: 'string' }],
  [8, 'serviceAccountName', 'string'],
  [9, 'serviceAccount', 'string'],
  [21, 'automountServiceAccountToken', 'bool', nullable],
  [10, 'nodeName', 'string'],
  [11, 'hostNetwork', 'bool'],
  [12, 'hostPID', 'bool'],
  [13, 'hostIPC', 'bool'],
  [27, 'shareProcessNamespace', 'bool', nullable],
  [14, 'securityContext', msg(podSecurityContext), nullable],
  [15, 'imagePullSecrets', localRef, repeated],
  [16, 'hostname', 'string'],
  [17, 'subdomain', 'string'],
  [18, 'affinity', msg(affinity), nullable],
  [19, 'schedulerName', 'string'],
  [22, 'tolerations', msg(toleration), repeated],
  [23, 'hostAliases', msg(message('k8s.io.api.core.v1.HostAlias', [[1, 'ip', 'string'], [2, 'hostnames', 'string', repeated]])), repeated],
  [24, 'priorityClassName', 'string'],
  [25, 'priority', 'int32', nullable],
  [26, 'dnsConfig', msg(podDNSConfig), nullable],
  [28, 'readinessGates', msg(message('k8s.io.api.core.v1.PodReadinessGate', [[1, 'conditionType', 'string']])), repeated],
  [29, 'runtimeClassName', 'string', nullable],
  [30, 'enableServiceLinks', 'bool', nullable],
  [31, 'preemptionPolicy', 'string', nullable],
  [32, 'overhead', quantities],
  [33, 'topologySpreadConstraints', msg(topologySpreadConstraint), repeated],
  [35, 'setHostnameAsFQDN', 'bool', nullable],
  [36, 'os', msg(named('PodOS')), nullable],
  [37, 'hostUsers', 'bool', nullable],
  [38, 'schedulingGates', msg(named('PodSchedulingGate')), repeated],
  [39, 'resourceClaims', msg(podResourceClaim), repeated],
  [40, 'resources', msg(resourceRequirements), nullable],
  [41, 'hostnameOverride', 'string', nullable],
  [43, 'schedulingGroup', msg(message('k8s.io.api.core.v1.PodSchedulingGroup', [[1, 'podGroupName', 'string', nullable]])), nullable],
  [44, 'evictionResponders', msg(message('k8s.io.api.core.v1.EvictionResponder', [
    [1, 'name', 'string'],
    [2, 'priority', 'int32', nullable],
  ])), repeated],
]);

// Status: a client's new Pod carries an empty one, every non-pointer field written as its zero value.

const podCondition = message('k8s.io.api.core.v1.PodCondition', [
  [1, 'type', 'string'],
  [7, 'observedGeneration', 'int64'],
  [2, 'status', 'string'],
  [3, 'lastProbeTime', 'time'],
  [4, 'lastTransitionTime', 'time'],
  [5, 'reason', 'string'],
  [6, 'message', 'string'],
]);

const containerState = message('k8s.io.api.core.v1.ContainerState', [
  [1, 'waiting', msg(message('k8s.io.api.core.v1.ContainerStateWaiting', [[1, 'reason', 'string'], [2, 'message', 'string']])), nullable],
  [2, 'running', msg(message('k8s.io.api.core.v1.ContainerStateRunning', [[1, 'startedAt', 'time']])), nullable],
  [3, 'terminated', msg(message('k8s.io.api.core.v1.ContainerStateTerminated', [
    [1, 'exitCode', 'int32'],
    [2, 'signal', 'int32'],
    [3, 'reason', 'string'],
    [4, 'message', 'string'],
    [5, 'startedAt', 'time'],
    [6, 'finishedAt', 'time'],
    [7, 'containerID', 'string'],
  ])), nullable],
]);

const volumeMountStatus = message('k8s.io.api.core.v1.VolumeMountStatus', [
  [1, 'name', 'string'],
  [2, 'mountPath', 'string'],
  [3, 'readOnly', 'bool'],
  [4, 'recursiveReadOnly', 'string', nullable],
  [5, 'volumeStatus', msg(message('k8s.io.api.core.v1.VolumeStatus', [
    [1, 'image', msg(message('k8s.io.api.core.v1.ImageVolumeStatus', [[1, 'imageRef', 'string']])), nullable],
  ])), nullable],
]);

const resourceStatus = message('k8s.io.api.core.v1.ResourceStatus', [
  [1, 'name', 'string'],
  [2, 'resources', msg(message('k8s.io.api.core.v1.ResourceHealth', [
    [1, 'resourceID', 'string'],
    [2, 'health', 'string'],
    [6, 'message', 'string', nullable],
  ])), repeated],
]);

const containerStatus = message('k8s.io.api.core.v1.ContainerStatus', [
  [1, 'name', 'string'],
  [2, 'state', msg(containerState)],
  [3, 'lastState', msg(containerState)],
  [4, 'ready', 'bool'],
  [5, 'restartCount', 'int32'],
  [6, 'image', 'string'],
  [7, 'imageID', 'string'],
  [8, 'containerID', 'string'],
  [9, 'started', 'bool', nullable],
  [10, 'allocatedResources', quantities],
  [11, 'resources', msg(resourceRequirements), nullable],
  [12, 'volumeMounts', msg(volumeMountStatus), repeated],
  [13, 'user', msg(message('k8s.io.api.core.v1.ContainerUser', [
    [1, 'linux', msg(message('k8s.io.api.core.v1.LinuxContainerUser', [
      [1, 'uid', 'int64'],
      [2, 'gid', 'int64'],
      [3, 'supplementalGroups', 'int64', repeated],
    ])), nullable],
  ])), nullable],
  [14, 'allocatedResourcesStatus', msg(resourceStatus), repeated],
  [15, 'stopSignal', 'string', nullable],
]);

const ip = (name: 'PodIP' | 'HostIP') => message(`k8s.io.api.core.v1.${name}`, [[1, 'ip', 'string']]);

const nodeAllocatableResourceClaimStatus = message('k8s.io.api.core.v1.NodeAllocatableResourceClaimStatus', [
  [1, 'resourceClaimName', 'string'],
  [2, 'containers', 'string', repeated],
  [4, 'mapping', msg(message('k8s.io.api.core.v1.NodeAllocatableMappedResources', [
    [1, 'name', 'string'],
    [2, 'quantity', 'quantity', nullable],
  ])), repeated],
  [5, 'overhead', msg(message('k8s.io.api.core.v1.NodeAllocatableOverheadResources', [
    [1, 'name', 'string'],
    [2, 'perPod', 'quantity', nullable],
    [3, 'perContainer', 'quantity', nullable],
  ])), repeated],
]);

const podVolumeHealth = message('k8s.io.api.core.v1.PodVolumeHealth', [
  [1, 'name', 'string'],
  [2, 'healthConditions', msg(message('k8s.io.api.core.v1.VolumeHealthCondition', [
    [1, 'status', 'string'],
    [2, 'reason', 'string'],
    [3, 'message', 'string'],
  ])), repeated],
  [3, 'lastTransitionTime', 'time'],
]);

export const podStatus = message('k8s.io.api.core.v1.PodStatus', [
  [17, 'observedGeneration', 'int64'],
  [1, 'phase', 'string'],
  [2, 'conditions', msg(podCondition), repeated],
  [3, 'message', 'string'],
  [4, 'reason', 'string'],
  [11, 'nominatedNodeName', 'string'],
  [5, 'hostIP', 'string'],
  [16, 'hostIPs', msg(ip('HostIP')), repeated],
  [6, 'podIP', 'string'],
  [12, 'podIPs', msg(ip('PodIP')), repeated],
  [7, 'startTime', 'time', nullable],
  [10, 'initContainerStatuses', msg(containerStatus), repeated],
  [8, 'containerStatuses', msg(containerStatus), repeated],
  [9, 'qosClass', 'string'],
  [13, 'ephemeralContainerStatuses', msg(containerStatus), repeated],
  [14, 'resize', 'string'],
  [15, 'resourceClaimStatuses', msg(message('k8s.io.api.core.v1.PodResourceClaimStatus', [
    [1, 'name', 'string'],
    [2, 'resourceClaimName', 'string', nullable],
  ])), repeated],
  [18, 'extendedResourceClaimStatus', msg(message('k8s.io.api.core.v1.PodExtendedResourceClaimStatus', [
    [1, 'requestMappings', msg(message('k8s.io.api.core.v1.ContainerExtendedResourceRequest', [
      [1, 'containerName', 'string'],
      [2, 'resourceName', 'string'],
      [3, 'requestName', 'string'],
    ])), repeated],
    [2, 'resourceClaimName', 'string'],
  ])), nullable],
  [19, 'allocatedResources', quantities],
  [20, 'resources', msg(resourceRequirements), nullable],
  [21, 'nodeAllocatableResourceClaimStatuses', msg(nodeAllocatableResourceClaimStatus), repeated],
  [22, 'volumeHealth', msg(podVolumeHealth), repeated],
]);

export const pod = message('k8s.io.api.core.v1.Pod', [
  [1, 'metadata', msg(objectMeta)],
  [2, 'spec', msg(podSpec)],
  [3, 'status', msg(podStatus)],
]);
