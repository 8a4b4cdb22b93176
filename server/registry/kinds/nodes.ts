import type { Node } from 'kubernetes-types/core/v1.js';
import { fieldLabelNotSupported } from '../../meta/fields.js';
import type { KubeObject } from '../../meta/types.js';
import type { ResourceInfo } from '../resource.js';
import { age, ageColumn, column, nameColumn } from '../table.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type NodeObject = Mutable<Node> & KubeObject;

/** printNode's STATUS: Ready/NotReady/Unknown, plus SchedulingDisabled when cordoned. */
function nodeStatus(node: NodeObject): string {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const parts = [!ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(node: NodeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function address(node: NodeObject, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
}

export function nodes(): ResourceInfo<NodeObject> {
  return {
    group: '',
    versions: [{ name: 'v1' }],
    resource: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    statusSubresource: true,
    strategy: {
      hasStatus: true,
      keepsStatusOnCreate: true,
      prepareForCreate(node) {
        node.status ??= {};
      },
      selectableFields: (node) => ({ 'spec.unschedulable': String(!!node.spec?.unschedulable) }),
      fieldLabels: () => ({ names: ['metadata.name', 'spec.unschedulable'], unsupported: fieldLabelNotSupported }),
      table: {
        columns: [
          nameColumn,
          column('Status', 'string', 'The status of the node'),
          column('Roles', 'string', 'The roles of the node'),
          ageColumn,
          column('Version', 'string', 'Kubelet Version reported by the node.'),
          column('Internal-IP', 'string', 'List of addresses reachable to the node.', { priority: 1 }),
          column('External-IP', 'string', 'List of addresses reachable to the node.', { priority: 1 }),
          column('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', { priority: 1 }),
          column('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { priority: 1 }),
          column('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', { priority: 1 }),
        ],
        cells: (node, now) => {
          const info = node.status?.nodeInfo;
          return [
            node.metadata.name, nodeStatus(node), nodeRoles(node), age(node, now), info?.kubeletVersion ?? '',
            address(node, 'InternalIP'), address(node, 'ExternalIP'),
            info?.osImage || '<unknown>', info?.kernelVersion || '<unknown>', info?.containerRuntimeVersion || '<unknown>',
          ];
        },
      },
    },
  };
}
