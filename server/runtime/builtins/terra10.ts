/**
 * The seed's two images (Lab 35 of the k4d tutorial). The transporter answers
 * `GET /?name=&from=&to=` on 8090 and appends a line naming its pod to /tmp/transporter.log in its
 * volume; the monitor serves that file (mounted read-only at /var/log) on 8092, empty when missing.
 * They listen on those ports whatever the pod spec declares, as the real images do.
 */
import type { Behaviour } from '../behaviour.js';

export const transporterPort = 8090;
export const monitorPort = 8092;
export const transporterLog = '/tmp/transporter.log';
export const monitorLog = '/var/log/transporter.log';

export const terra10Transporter: Behaviour = {
  name: 'terra10-transporter',
  async start(ctx) {
    await ctx.listen(transporterPort, async (req, res) => {
      const q = new URL(req.url ?? '/', 'http://transporter').searchParams;
      const name = q.get('name') ?? 'undefined';
      const from = q.get('from') ?? 'undefined';
      const to = q.get('to') ?? 'undefined';
      await ctx.files.appendFile(transporterLog, `transporter ${ctx.hostname} has transporteed ${name} is transported from ${from} to ${to}\n`);
      ctx.log.stdout(`${name} transported from ${from} to ${to}`);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`Hello, on ${ctx.hostname}, ${name} will be transported from ${from} to ${to} using the Terra10 transporter service\n`);
    });
    ctx.log.stdout(`Terra10 transporter listening on port ${transporterPort}`);
  },
};

export const terra10Monitor: Behaviour = {
  name: 'terra10-monitor',
  async start(ctx) {
    await ctx.listen(monitorPort, async (_req, res) => {
      const body = (await ctx.files.readFileIfExists(monitorLog)) ?? Buffer.alloc(0);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(body);
    });
    ctx.log.stdout(`Terra10 monitor listening on port ${monitorPort}`);
  },
};
