import type { BehaviourMap } from '../behaviour.js';
import { busyboxBehaviour, defaultBehaviour } from './default.js';
import { terra10Monitor, terra10Transporter } from './terra10.js';
import { agnhostBehaviour, echoBehaviour, httpdBehaviour, httpEchoBehaviour, nginxBehaviour } from './web.js';

export { defaultBehaviour };

/** The built-in behaviours by image pattern (user modules registered later override them). */
export function builtinBehaviours(): BehaviourMap {
  return {
    '*echo*': echoBehaviour,
    busybox: busyboxBehaviour,
    'busybox:*': busyboxBehaviour,
    nginx: nginxBehaviour,
    'nginx:*': nginxBehaviour,
    'bitnami/nginx': nginxBehaviour,
    httpd: httpdBehaviour,
    'httpd:*': httpdBehaviour,
    'hashicorp/http-echo': httpEchoBehaviour,
    'e2e-test-images/agnhost': agnhostBehaviour,
    'lgorissen/terra10-transporter': terra10Transporter,
    'lgorissen/terra10-monitor': terra10Monitor,
  };
}
