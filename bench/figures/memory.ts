/** Memory: RSS of a kubemock process holding many pods, measured in its own process after a full GC. */
import { withWorker } from '../lib/child.js';
import { row, type Progress, type Row, type Sizes } from '../lib/figure.js';

export async function memory(sizes: Sizes, progress: Progress): Promise<Row[]> {
  progress(`memory: storing ${sizes.memoryPods.toLocaleString('en-US')} pods in a fresh process`);
  const m = await withWorker((w) => w.call<{ rssBytes: number; baseRssBytes: number; bytesPerPod: number; heapBytesPerPod: number }>('memory', { count: sizes.memoryPods }), { exposeGc: true });
  return [row({
    id: 'memory', figure: `RSS with ${sizes.memoryPods.toLocaleString('en-US')} pods`, value: m.rssBytes / 2 ** 20, unit: 'MiB',
    target: { on: 'value', op: '<=', limit: 1536 }, targetText: '≤ 1.5 GiB',
    note: `${Math.round(m.bytesPerPod).toLocaleString('en-US')} B RSS per pod (${Math.round(m.heapBytesPerPod).toLocaleString('en-US')} B heap); empty server ${Math.round(m.baseRssBytes / 2 ** 20)} MiB; controllers off, DNS on`,
  })];
}
