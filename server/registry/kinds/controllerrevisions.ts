import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { FieldError } from '../../meta/errors.js';
import type { KubeObject } from '../../meta/types.js';
import { deepEqual } from '../equality.js';
import type { ResourceInfo } from '../resource.js';
import { age, ageColumn, column, nameColumn } from '../table.js';
import { nonNegative } from './fieldrules.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type ControllerRevisionObject = Mutable<ControllerRevision> & KubeObject;

function validateRevision(rev: ControllerRevisionObject): FieldError[] {
  const out: FieldError[] = [];
  if (rev.data === undefined || rev.data === null) out.push({ type: 'Required', field: 'data', detail: 'data is mandatory' });
  out.push(...nonNegative(rev.revision, 'revision'));
  return out;
}

/** printControllerRevision's CONTROLLER cell: "<kind>.<group>/<name>" of the controller reference. */
function controllerName(rev: ControllerRevisionObject): string {
  const ref = (rev.metadata.ownerReferences ?? []).find((r) => r.controller);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  const kind = group ? `${ref.kind}.${group}` : ref.kind;
  return `${kind.toLowerCase()}/${ref.name}`;
}

export function controllerrevisions(): ResourceInfo<ControllerRevisionObject> {
  return {
    group: 'apps',
    versions: [{ name: 'v1' }],
    resource: 'controllerrevisions',
    singular: 'controllerrevision',
    kind: 'ControllerRevision',
    namespaced: true,
    strategy: {
      validate: validateRevision,
      validateUpdate: (rev, old) => [
        ...validateRevision(rev),
        ...(deepEqual(rev.data, old.data) ? [] : [{ type: 'Invalid' as const, field: 'data', value: rev.data, detail: 'field is immutable' }]),
      ],
      table: {
        columns: [
          nameColumn,
          column('Controller', 'string', 'Controller of the object'),
          column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
          ageColumn,
        ],
        cells: (rev, now) => [rev.metadata.name, controllerName(rev), rev.revision, age(rev, now)],
      },
    },
  };
}
