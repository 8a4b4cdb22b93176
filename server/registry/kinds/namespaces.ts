import type { Namespace } from 'kubernetes-types/core/v1.js';
import { fieldLabelNotSupported } from '../../meta/fields.js';
import { dns1123LabelErrors } from '../../meta/names.js';
import type { KubeObject } from '../../meta/types.js';
import { allVerbs, type ResourceInfo } from '../resource.js';
import { age, ageColumn, column, nameColumn } from '../table.js';

type NamespaceObject = Namespace & KubeObject;

const immortalNamespaces = new Set(['default', 'kube-system', 'kube-public']);

export function namespaces(): ResourceInfo<NamespaceObject> {
  return {
    group: '',
    versions: [{ name: 'v1' }],
    resource: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    statusSubresource: true,
    finalizeSubresource: true,
    strategy: {
      returnDeletedObject: true,
      // A namespace waits in Terminating until the namespace controller has emptied it and
      // removed its spec.finalizers through the finalize subresource.
      blocksDeletion: (ns) => (ns.spec?.finalizers?.length ?? 0) > 0,
      // NamespaceLifecycle admission keeps the namespaces the cluster itself runs in.
      undeletable: (name) => (immortalNamespaces.has(name) ? 'this namespace may not be deleted' : undefined),
      prepareForDelete(ns) {
        ns.status = { ...ns.status, phase: 'Terminating' };
      },
      hasStatus: true,
      validateName: dns1123LabelErrors,
      defaults(ns) {
        ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name ?? '' };
      },
      prepareForCreate(ns) {
        ns.spec = { finalizers: ['kubernetes'] };
        ns.status = { phase: 'Active' };
      },
      prepareForUpdate(ns, old) {
        ns.spec = old.spec;
        ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name ?? '' };
      },
      selectableFields: (ns) => ({ 'status.phase': ns.status?.phase ?? '' }),
      fieldLabels: () => ({ names: ['metadata.name', 'status.phase'], unsupported: fieldLabelNotSupported }),
      table: {
        columns: [nameColumn, column('Status', 'string', 'The status of the namespace'), ageColumn],
        cells: (ns, now) => [ns.metadata.name, ns.status?.phase ?? '', age(ns, now)],
      },
    },
  };
}

export { allVerbs };
