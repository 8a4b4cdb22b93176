/**
 * Field tables for the core/v1 kinds kubectl's typed generators send as protobuf
 * (k8s.io/api core/v1 generated.proto), written from reading that file.
 * `nullable` marks Go pointer fields (see FieldSpec.nullable).
 */
import { condition, objectMeta } from './meta-v1.js';
import { message, msg, nullable, repeated } from './schema.js';

const meta = msg(objectMeta);

export const localObjectReference = message('k8s.io.api.core.v1.LocalObjectReference', [[1, 'name', 'string']]);

export const namespaceCondition = message('k8s.io.api.core.v1.NamespaceCondition', [
  [1, 'type', 'string'],
  [2, 'status', 'string'],
  [4, 'lastTransitionTime', 'time'],
  [5, 'reason', 'string'],
  [6, 'message', 'string'],
]);

export const namespace = message('k8s.io.api.core.v1.Namespace', [
  [1, 'metadata', meta],
  [2, 'spec', msg(message('k8s.io.api.core.v1.NamespaceSpec', [[1, 'finalizers', 'string', repeated]]))],
  [3, 'status', msg(message('k8s.io.api.core.v1.NamespaceStatus', [
    [1, 'phase', 'string'],
    [2, 'conditions', msg(namespaceCondition), repeated],
  ]))],
]);

export const configMap = message('k8s.io.api.core.v1.ConfigMap', [
  [1, 'metadata', meta],
  [2, 'data', { map: 'string' }],
  [3, 'binaryData', { map: 'bytes' }],
  [4, 'immutable', 'bool', nullable],
]);

export const secret = message('k8s.io.api.core.v1.Secret', [
  [1, 'metadata', meta],
  [2, 'data', { map: 'bytes' }],
  [3, 'type', 'string'],
  [4, 'stringData', { map: 'string' }],
  [5, 'immutable', 'bool', nullable],
]);

export const servicePort = message('k8s.io.api.core.v1.ServicePort', [
  [1, 'name', 'string'],
  [2, 'protocol', 'string'],
  [3, 'port', 'int32'],
  [4, 'targetPort', 'intOrString'],
  [5, 'nodePort', 'int32'],
  [6, 'appProtocol', 'string', nullable],
]);

const sessionAffinityConfig = message('k8s.io.api.core.v1.SessionAffinityConfig', [
  [1, 'clientIP', msg(message('k8s.io.api.core.v1.ClientIPConfig', [[1, 'timeoutSeconds', 'int32', nullable]])), nullable],
]);

export const serviceSpec = message('k8s.io.api.core.v1.ServiceSpec', [
  [1, 'ports', msg(servicePort), repeated],
  [2, 'selector', { map: 'string' }],
  [3, 'clusterIP', 'string'],
  [4, 'type', 'string'],
  [5, 'externalIPs', 'string', repeated],
  [7, 'sessionAffinity', 'string'],
  [8, 'loadBalancerIP', 'string'],
  [9, 'loadBalancerSourceRanges', 'string', repeated],
  [10, 'externalName', 'string'],
  [11, 'externalTrafficPolicy', 'string'],
  [12, 'healthCheckNodePort', 'int32'],
  [13, 'publishNotReadyAddresses', 'bool'],
  [14, 'sessionAffinityConfig', msg(sessionAffinityConfig), nullable],
  [17, 'ipFamilyPolicy', 'string', nullable],
  [18, 'clusterIPs', 'string', repeated],
  [19, 'ipFamilies', 'string', repeated],
  [20, 'allocateLoadBalancerNodePorts', 'bool', nullable],
  [21, 'loadBalancerClass', 'string', nullable],
  [22, 'internalTrafficPolicy', 'string', nullable],
  [23, 'trafficDistribution', 'string', nullable],
]);

const portStatus = message('k8s.io.api.core.v1.PortStatus', [
  [1, 'port', 'int32'],
  [2, 'protocol', 'string'],
  [3, 'error', 'string', nullable],
]);

const loadBalancerIngress = message('k8s.io.api.core.v1.LoadBalancerIngress', [
  [1, 'ip', 'string'],
  [2, 'hostname', 'string'],
  [3, 'ipMode', 'string', nullable],
  [4, 'ports', msg(portStatus), repeated],
]);

export const serviceStatus = message('k8s.io.api.core.v1.ServiceStatus', [
  [1, 'loadBalancer', msg(message('k8s.io.api.core.v1.LoadBalancerStatus', [[1, 'ingress', msg(loadBalancerIngress), repeated]]))],
  [2, 'conditions', msg(condition), repeated],
]);

export const service = message('k8s.io.api.core.v1.Service', [
  [1, 'metadata', meta],
  [2, 'spec', msg(serviceSpec)],
  [3, 'status', msg(serviceStatus)],
]);

const objectReference = message('k8s.io.api.core.v1.ObjectReference', [
  [1, 'kind', 'string'],
  [2, 'namespace', 'string'],
  [3, 'name', 'string'],
  [4, 'uid', 'string'],
  [5, 'apiVersion', 'string'],
  [6, 'resourceVersion', 'string'],
  [7, 'fieldPath', 'string'],
]);

export const serviceAccount = message('k8s.io.api.core.v1.ServiceAccount', [
  [1, 'metadata', meta],
  [2, 'secrets', msg(objectReference), repeated],
  [3, 'imagePullSecrets', msg(localObjectReference), repeated],
  [4, 'automountServiceAccountToken', 'bool', nullable],
]);
