import type { Request, Response } from 'express';
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import { rfc3339, type Clock } from '../meta/clock.js';
import { badRequest, conflict, invalid, type FieldError } from '../meta/errors.js';
import type { Registry } from '../registry/generic.js';
import { readCreateBody } from './create-subresource.js';
import type { ResourceTarget } from './paths.js';
import type { SubresourceHandler } from './server.js';
import type { ServiceAccountTokenIssuer } from './service-account-tokens.js';

const tokenRequestKind = { group: 'authentication.k8s.io', kind: 'TokenRequest' };
const tokenRequestBody = { kind: 'TokenRequest', apiVersions: ['authentication.k8s.io/v1'], schema: 'io.k8s.api.authentication.v1.TokenRequest' };
/** SetDefaults_TokenRequestSpec; the shortest a token may live is ten minutes. */
const defaultExpirationSeconds = 3600;
const minExpirationSeconds = 600;
const maxUint32 = 4294967295;
/** The objects a token may be bound to, and where they are stored. */
const bindable: Record<string, { group: string; resource: string; namespaced: boolean }> = {
  Pod: { group: '', resource: 'pods', namespaced: true },
  Secret: { group: '', resource: 'secrets', namespaced: true },
  Node: { group: '', resource: 'nodes', namespaced: false },
};

/**
 * POST serviceaccounts/<name>/token (`kubectl create token`), as kube's TokenREST answers it: a signed
 * service account token for the audiences asked (the API server's by default), optionally bound to a
 * Pod, Secret or Node that must exist. Nothing is stored.
 */
export function tokenRequestHandler(registry: Registry, issuer: ServiceAccountTokenIssuer, clock: Clock): SubresourceHandler {
  return async (req: Request, res: Response, target: ResourceTarget) => {
    const sent = (await readCreateBody(req, tokenRequestBody)).body as SentTokenRequest;
    const name = target.name!;
    const { namespace } = target;
    const metaErrors: FieldError[] = [];
    if (sent.metadata?.name && sent.metadata.name !== name) metaErrors.push({ type: 'Invalid', field: 'metadata.name', value: sent.metadata.name, detail: 'must match the service account name if specified' });
    if (sent.metadata?.namespace && sent.metadata.namespace !== namespace) metaErrors.push({ type: 'Invalid', field: 'metadata.namespace', value: sent.metadata.namespace, detail: 'must match the service account namespace if specified' });
    if (metaErrors.length) throw invalid(tokenRequestKind, name, metaErrors.slice(0, 1));
    const sa = await registry.get(target.ref, namespace, name);
    const audiences = sent.spec?.audiences?.length ? sent.spec.audiences : issuer.audiences;
    const expirationSeconds = sent.spec?.expirationSeconds ?? defaultExpirationSeconds;
    const errors = expirationErrors(expirationSeconds);
    if (errors.length) throw invalid(tokenRequestKind, '', errors);
    const bound = sent.spec?.boundObjectRef ? await boundObject(registry, namespace, sent.spec.boundObjectRef) : undefined;
    const now = clock.now();
    const { token, expiresAt } = issuer.issue({ namespace, name, uid: sa.metadata.uid ?? '', audiences, expirationSeconds, bound });
    const answer = {
      kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: rfc3339(now) },
      spec: { audiences, expirationSeconds, boundObjectRef: sent.spec?.boundObjectRef ?? null },
      status: { token, expirationTimestamp: rfc3339(expiresAt) },
    };
    res.status(201).type('application/json').send(JSON.stringify(answer));
  };
}

type SentTokenRequest = Pick<TokenRequest, 'metadata' | 'spec'>;

/** ValidateTokenRequest. */
function expirationErrors(seconds: number): FieldError[] {
  if (seconds < minExpirationSeconds) return [{ type: 'Invalid', field: 'spec.expirationSeconds', value: seconds, detail: 'may not specify a duration less than 10 minutes' }];
  if (seconds > maxUint32) return [{ type: 'TooLong', field: 'spec.expirationSeconds', value: seconds, detail: `may not be more than ${maxUint32} bytes` }];
  return [];
}

/** The bound object must exist (and be the one named, when a uid is given), as TokenREST checks. */
async function boundObject(registry: Registry, namespace: string, ref: NonNullable<NonNullable<TokenRequest['spec']>['boundObjectRef']>): Promise<{ kind: string; name: string; uid: string }> {
  const where = ref.kind && (ref.apiVersion ?? 'v1') === 'v1' ? bindable[ref.kind] : undefined;
  if (!where) throw badRequest(`cannot bind token to object of type ${ref.apiVersion ?? ''}, Kind=${ref.kind ?? ''}`);
  const obj = await registry.get(registry.ref(where.group, where.resource), where.namespaced ? namespace : '', ref.name ?? '');
  if (ref.uid && ref.uid !== obj.metadata.uid) {
    throw conflict({ group: '', resource: ref.kind! }, ref.name ?? '', `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  return { kind: ref.kind!, name: ref.name ?? '', uid: obj.metadata.uid ?? '' };
}
