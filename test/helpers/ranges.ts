import { randomInt } from 'node:crypto';
import { createServer, type Server } from 'node:net';

/**
 * Loopback /16s for one test cluster's pod and service addresses, claimed across every test process on
 * this machine: test files run side by side, and two clusters drawing the same range at random bind the
 * same pod IP and port (the second container fails with EADDRINUSE and restarts). A range is claimed by
 * listening on its 127.X.255.254; the claim ends with release() or with the process.
 */
export interface ClaimedRanges {
  podCidr: string;
  serviceCidr: string;
  /** The same as `kubemock serve` flags. */
  args: string[];
  release(): void;
}

const claimPort = 65_399;

function listen(host: string): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host, port: claimPort, exclusive: true }, () => resolve(server.unref()));
  });
}

async function claimOctet(first: number, count: number): Promise<{ octet: number; server: Server }> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const octet = first + randomInt(count);
    const server = await listen(`127.${octet}.255.254`);
    if (server) return { octet, server };
  }
  throw new Error(`no free loopback range among 127.${first}-${first + count - 1}.0.0/16`);
}

export async function claimRanges(): Promise<ClaimedRanges> {
  const pods = await claimOctet(20, 70);
  const services = await claimOctet(200, 50);
  const podCidr = `127.${pods.octet}.0.0/16`;
  const serviceCidr = `127.${services.octet}.0.0/16`;
  return {
    podCidr, serviceCidr,
    args: ['--pod-cidr', podCidr, '--service-cidr', serviceCidr],
    release() {
      pods.server.close();
      services.server.close();
    },
  };
}
