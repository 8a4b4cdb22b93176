import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { DeepReadonly } from '../meta/types.js';

export const taintNotReady = 'node.kubernetes.io/not-ready';
export const taintUnreachable = 'node.kubernetes.io/unreachable';
export const taintUnschedulable = 'node.kubernetes.io/unschedulable';

/** ToleratesTaint: an empty key with Exists tolerates everything; an empty effect matches all effects. */
export function tolerates(t: DeepReadonly<Toleration>, taint: DeepReadonly<Taint>): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

export function untoleratedTaint(
  taints: readonly DeepReadonly<Taint>[] | undefined, tolerations: readonly DeepReadonly<Toleration>[] | undefined,
  effects: readonly string[],
): DeepReadonly<Taint> | undefined {
  return (taints ?? []).find((taint) => effects.includes(taint.effect) && !(tolerations ?? []).some((t) => tolerates(t, taint)));
}

/** How long a pod tolerates a NoExecute taint: undefined = forever, 0 = not at all. */
export function tolerationSecondsFor(tolerations: readonly DeepReadonly<Toleration>[] | undefined, taint: DeepReadonly<Taint>): number | undefined {
  const matching = (tolerations ?? []).filter((t) => tolerates(t, taint));
  if (!matching.length) return 0;
  let min: number | undefined;
  for (const t of matching) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) return undefined;
    const s = Math.max(0, t.tolerationSeconds);
    min = min === undefined ? s : Math.min(min, s);
  }
  return min;
}

function requirementMatches(r: DeepReadonly<NodeSelectorRequirement>, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt': return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt': return value !== undefined && Number(value) < Number(values[0]);
    default: return false;
  }
}

/** A node selector term: all expressions and fields must match (an empty term matches nothing). */
export function termMatches(term: DeepReadonly<NodeSelectorTerm>, node: DeepReadonly<Node>): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  const labels = node.metadata?.labels ?? {};
  return exprs.every((r) => requirementMatches(r, labels[r.key]))
    && fields.every((r) => requirementMatches(r, r.key === 'metadata.name' ? node.metadata?.name : undefined));
}

export function nodeSelectorTermsMatch(terms: readonly DeepReadonly<NodeSelectorTerm>[] | undefined, node: DeepReadonly<Node>): boolean {
  return !terms || terms.length === 0 || terms.some((t) => termMatches(t, node));
}
