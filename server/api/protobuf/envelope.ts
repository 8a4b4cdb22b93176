/**
 * The Kubernetes protobuf body: the magic `k8s\0`, then a runtime.Unknown whose raw field holds the kind's
 * generated message. We decode the kinds kubectl's typed clients send to resources kubemock serves
 * (see the project's notes on what kubectl sends, spec/kubectl-wire.md); everything else is a 415 naming what was sent.
 */
import { StatusError } from '../../meta/errors.js';
import { configMap, namespace, secret, service, serviceAccount } from './core-v1.js';
import { pod } from './core-v1-pod.js';
import { decodeMessage, malformedProtobuf, unsupportedProtobuf, type JsonObject } from './decode.js';
import { deleteOptions, unknown } from './meta-v1.js';
import { eviction, podDisruptionBudget } from './policy-v1.js';
import { selfSubjectAccessReview, selfSubjectReview, selfSubjectRulesReview, tokenRequest } from './reviews.js';
import type { MessageSpec } from './schema.js';

export const protobufMediaType = 'application/vnd.kubernetes.protobuf';

const magic = [0x6b, 0x38, 0x73, 0x00];

/** Decodable bodies by `apiVersion/kind`, as the envelope's TypeMeta names them. */
const kinds = new Map<string, MessageSpec>([
  ['v1/Namespace', namespace],
  ['v1/ConfigMap', configMap],
  ['v1/Secret', secret],
  ['v1/Service', service],
  ['v1/ServiceAccount', serviceAccount],
  ['v1/Pod', pod],
  ['policy/v1/Eviction', eviction],
  ['policy/v1beta1/Eviction', eviction],
  ['policy/v1/PodDisruptionBudget', podDisruptionBudget],
  ['authorization.k8s.io/v1/SelfSubjectAccessReview', selfSubjectAccessReview],
  ['authorization.k8s.io/v1/SelfSubjectRulesReview', selfSubjectRulesReview],
  ['authentication.k8s.io/v1/SelfSubjectReview', selfSubjectReview],
  ['authentication.k8s.io/v1beta1/SelfSubjectReview', selfSubjectReview],
  ['authentication.k8s.io/v1/TokenRequest', tokenRequest],
]);

/** Typed clients label DeleteOptions with the group version of the resource they delete from. */
function specFor(apiVersion: string, kind: string): MessageSpec | undefined {
  if (kind === 'DeleteOptions') return deleteOptions;
  return kinds.get(`${apiVersion}/${kind}`);
}

/** Decodes a whole protobuf request body into the JSON object a JSON client would have sent. */
export function decodeKubernetesProtobuf(body: Uint8Array): JsonObject {
  if (body.length < magic.length || magic.some((b, i) => body[i] !== b)) {
    throw malformedProtobuf(`provided data does not appear to be a protobuf message, expected prefix [${magic.join(' ')}]`);
  }
  try {
    return decodeEnvelope(body.subarray(magic.length));
  } catch (e) {
    // BinaryReader reports truncated or overlong input with plain Errors.
    if (e instanceof Error && !(e instanceof StatusError)) throw malformedProtobuf(e.message);
    throw e;
  }
}

function decodeEnvelope(bytes: Uint8Array): JsonObject {
  const envelope = decodeMessage(unknown, bytes, 'Unknown');
  const typeMeta = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const apiVersion = typeMeta.apiVersion ?? '';
  const kind = typeMeta.kind ?? '';
  if (!kind) throw malformedProtobuf('the envelope names no kind');
  if (envelope.contentEncoding) throw unsupportedProtobuf(`content encoding "${String(envelope.contentEncoding)}"`);
  if (envelope.contentType && envelope.contentType !== protobufMediaType) throw unsupportedProtobuf(`an envelope carrying ${String(envelope.contentType)}`);
  const spec = specFor(apiVersion, kind);
  if (!spec) throw unsupportedProtobuf(`kind ${kind} (apiVersion ${apiVersion || '""'}); it decodes ${[...kinds.keys(), 'DeleteOptions'].join(', ')}`);
  const raw = Buffer.from((envelope.raw as string | undefined) ?? '', 'base64');
  return { kind, apiVersion, ...decodeMessage(spec, raw, '') };
}
