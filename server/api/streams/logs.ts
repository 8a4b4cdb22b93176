import type { Readable } from 'node:stream';
import type { Request, Response } from 'express';
import { invalid, type FieldError } from '../../meta/errors.js';
import type { LogOptions } from '../pod-streams.js';
import { chooseContainer, getPod, queryBool, type PodStreamDeps } from './pod-target.js';

function intParam(q: URLSearchParams, name: string, errors: FieldError[], min: number, detail: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) {
    errors.push({ type: 'Invalid', field: name, value: v, detail: 'must be an integer' });
    return undefined;
  }
  const n = Number(v);
  if (n < min) errors.push({ type: 'Invalid', field: name, value: n, detail });
  return n;
}

/** PodLogOptions from the query, validated the way the apiserver does (422 Invalid PodLogOptions). */
export function parseLogOptions(q: URLSearchParams): LogOptions {
  const errors: FieldError[] = [];
  const opts: LogOptions = {
    follow: queryBool(q, 'follow'),
    previous: queryBool(q, 'previous'),
    timestamps: queryBool(q, 'timestamps'),
    tailLines: intParam(q, 'tailLines', errors, 0, 'must be greater than or equal to 0'),
    sinceSeconds: intParam(q, 'sinceSeconds', errors, 1, 'must be greater than 0'),
    limitBytes: intParam(q, 'limitBytes', errors, 1, 'must be greater than 0'),
  };
  const sinceTime = q.get('sinceTime');
  if (sinceTime) {
    if (Number.isNaN(Date.parse(sinceTime))) errors.push({ type: 'Invalid', field: 'sinceTime', value: sinceTime, detail: 'must be an RFC3339 time' });
    opts.sinceTime = sinceTime;
  }
  if (opts.sinceSeconds !== undefined && opts.sinceTime !== undefined) {
    errors.push({ type: 'Forbidden', field: '', detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  }
  if (errors.length) throw invalid({ group: '', kind: 'PodLogOptions' }, '', errors);
  return opts;
}

/**
 * GET pods/<name>/log: 200 text/plain, streamed. With follow the response stays open (chunked) until the
 * container's log ends or the client goes away.
 */
export async function serveLogs(deps: PodStreamDeps, req: Request, res: Response, namespace: string, name: string): Promise<void> {
  const q = new URL(req.originalUrl, 'http://kubemock').searchParams;
  const pod = await getPod(deps.registry, namespace, name);
  const container = chooseContainer(pod, q.get('container'));
  const opts = parseLogOptions(q);
  if (!pod.spec?.nodeName) {
    // The apiserver has no kubelet to ask yet and answers with an empty log.
    res.status(200).type('text/plain').end();
    return;
  }
  const log = await deps.streams.logs({ namespace, pod: name, container }, opts);
  await pipeLog(log, res, opts.follow);
}

function pipeLog(log: Readable, res: Response, follow: boolean): Promise<void> {
  return new Promise((resolve) => {
    res.status(200).type('text/plain');
    if (follow) {
      // kubectl shows lines as they come only if the headers are out before the first byte.
      res.setHeader('Transfer-Encoding', 'chunked');
      res.flushHeaders();
    }
    const finish = (): void => {
      log.destroy();
      resolve();
    };
    res.on('close', finish);
    log.on('error', () => {
      res.end();
      finish();
    });
    log.pipe(res);
  });
}
