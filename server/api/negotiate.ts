/** What representation the client asked for in Accept (JSON object, or a meta.k8s.io Table). */
export type Representation = { kind: 'object' } | { kind: 'table'; version: 'v1' | 'v1beta1' } | { kind: 'partial-metadata' };

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const p: Record<string, string> = {};
    for (const kv of params) {
      const i = kv.indexOf('=');
      if (i > 0) p[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
    }
    return { type: type.toLowerCase(), params: p };
  });
}

/** Picks the first acceptable representation, as the apiserver's content negotiation does. */
export function negotiate(header: string | undefined): Representation {
  for (const m of parseAccept(header)) {
    if (m.params.as === 'Table' && m.params.g === 'meta.k8s.io' && (m.params.v === 'v1' || m.params.v === 'v1beta1')) {
      return { kind: 'table', version: m.params.v };
    }
    if (m.params.as === 'PartialObjectMetadata' && m.params.g === 'meta.k8s.io') return { kind: 'partial-metadata' };
    if (!m.params.as && (m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*' || m.type === 'application/vnd.kubernetes.protobuf' || m.type === 'application/yaml')) {
      return { kind: 'object' };
    }
  }
  return { kind: 'object' };
}

export type DiscoveryFormat = 'aggregated-v2' | 'aggregated-v2beta1' | 'legacy';

export function negotiateDiscovery(header: string | undefined): DiscoveryFormat {
  for (const m of parseAccept(header)) {
    if (m.params.g === 'apidiscovery.k8s.io' && m.params.as === 'APIGroupDiscoveryList') {
      if (m.params.v === 'v2') return 'aggregated-v2';
      if (m.params.v === 'v2beta1') return 'aggregated-v2beta1';
    }
    if (!m.params.as && (m.type === 'application/json' || m.type === '*/*')) return 'legacy';
  }
  return 'legacy';
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}
