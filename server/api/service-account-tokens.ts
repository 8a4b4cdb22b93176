import { createHash, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import type { UserInfo } from '../registry/strategy.js';

/** What a service account token says, as kube's serviceaccount token claims put it. */
export interface ServiceAccountClaims {
  namespace: string;
  name: string;
  uid: string;
  audiences: string[];
  expirationSeconds: number;
  /** The object the token is bound to (a Pod, Secret or Node), if any. */
  bound?: { kind: string; name: string; uid: string };
}

interface Jwt {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': { namespace: string; serviceaccount: { name: string; uid: string }; pod?: { name: string; uid: string }; secret?: { name: string; uid: string }; node?: { name: string; uid: string } };
}

/** What the token's objects are now: their UID, and whether their deletion has begun (for kube's claim validation). */
export type BoundObjectGetter = (kind: 'ServiceAccount' | 'Pod' | 'Secret' | 'Node', namespace: string, name: string) => { uid?: string; deleting?: boolean } | undefined;

/**
 * Issues and checks service account tokens as kube-apiserver's token issuer does: RS256 JWTs with
 * kube's claims, signed by a key made on first use (a start-up cost only for clusters that ask).
 * A token kubemock issued authenticates as `system:serviceaccount:<namespace>:<name>` until it expires.
 */
export class ServiceAccountTokenIssuer {
  private keys?: { privateKey: KeyObject; publicKey: KeyObject; kid: string };

  constructor(
    readonly issuer: string,
    /** The API server's audiences, which a TokenRequest without audiences gets. */
    readonly audiences: string[],
    private readonly now: () => number,
    /** Without one, a token holds until it expires; with one, only while its account and bound object exist. */
    private readonly objects?: BoundObjectGetter,
  ) {}

  issue(c: ServiceAccountClaims): { token: string; expiresAt: number } {
    const keys = this.keyPair();
    const iat = Math.floor(this.now() / 1000);
    const claims: Jwt = {
      aud: c.audiences, exp: iat + c.expirationSeconds, iat, iss: this.issuer, jti: randomUUID(),
      'kubernetes.io': {
        namespace: c.namespace,
        ...(c.bound ? { [c.bound.kind.toLowerCase()]: { name: c.bound.name, uid: c.bound.uid } } : {}),
        serviceaccount: { name: c.name, uid: c.uid },
      },
      nbf: iat,
      sub: `system:serviceaccount:${c.namespace}:${c.name}`,
    };
    const signingInput = `${b64url({ alg: 'RS256', kid: keys.kid })}.${b64url(claims)}`;
    const signature = sign('sha256', Buffer.from(signingInput), keys.privateKey).toString('base64url');
    return { token: `${signingInput}.${signature}`, expiresAt: claims.exp * 1000 };
  }

  /** The service account a token names, when kubemock signed it, for one of its audiences, and it has not expired. */
  authenticate(token: string): UserInfo | undefined {
    const claims = this.keys && this.verified(token, this.keys.publicKey);
    if (!claims) return undefined;
    const now = this.now() / 1000;
    if (claims.iss !== this.issuer || !(claims.exp > now) || claims.nbf > now + 60) return undefined;
    if (!Array.isArray(claims.aud) || !claims.aud.some((a) => this.audiences.includes(a))) return undefined;
    if (!this.objectsStillThere(claims['kubernetes.io'])) return undefined;
    const { namespace, serviceaccount } = claims['kubernetes.io'];
    return {
      username: claims.sub,
      uid: serviceaccount.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
    };
  }

  /**
   * kube's claims validator: the account, and the pod, secret or node the token is bound to, must still
   * exist with the UID the token names; a bound pod or secret whose deletion has begun ends it too.
   */
  private objectsStillThere(k: Jwt['kubernetes.io']): boolean {
    const get = this.objects;
    if (!get) return true;
    const same = (kind: Parameters<BoundObjectGetter>[0], ref: { name: string; uid: string } | undefined, namespace: string): boolean => {
      if (!ref) return true;
      const now = get(kind, namespace, ref.name);
      return !!now && now.uid === ref.uid && !(kind !== 'ServiceAccount' && kind !== 'Node' && now.deleting);
    };
    return same('ServiceAccount', k.serviceaccount, k.namespace) && same('Pod', k.pod, k.namespace) && same('Secret', k.secret, k.namespace) && same('Node', k.node, '');
  }

  /** The claims of a JWT whose signature is this issuer's, else undefined (for any malformed token too). */
  private verified(token: string, key: KeyObject): Jwt | undefined {
    const [header, payload, signature, ...rest] = token.split('.');
    if (rest.length || !header || !payload || !signature) return undefined;
    try {
      if (!verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))) return undefined;
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Jwt;
    } catch {
      return undefined;
    }
  }

  private keyPair(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
    if (!this.keys) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      // kube's key id: the SHA-256 of the public key's DER, base64url
      const kid = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
      this.keys = { privateKey, publicKey, kid };
    }
    return this.keys;
  }
}

function b64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
