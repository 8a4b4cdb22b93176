/**
 * Builds Kubernetes protobuf bodies for tests, field by field with BinaryWriter, so the tests state
 * the wire layout independently of the decoder's tables.
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

export type Part = (w: BinaryWriter) => void;

export const str = (no: number, v: string): Part => (w) => void w.tag(no, WireType.LengthDelimited).string(v);
export const bytes = (no: number, v: Uint8Array): Part => (w) => void w.tag(no, WireType.LengthDelimited).bytes(v);
export const int = (no: number, v: number | bigint): Part => (w) => void w.tag(no, WireType.Varint).int64(v);
export const bool = (no: number, v: boolean): Part => (w) => void w.tag(no, WireType.Varint).bool(v);
export const sub = (no: number, ...parts: Part[]): Part => (w) => {
  w.tag(no, WireType.LengthDelimited).fork();
  for (const p of parts) p(w);
  w.join();
};
export const entry = (no: number, key: string, value: string | Uint8Array): Part =>
  sub(no, str(1, key), typeof value === 'string' ? str(2, value) : bytes(2, value));
export const time = (no: number, seconds: number, nanos = 0): Part => sub(no, int(1, seconds), ...(nanos ? [int(2, nanos)] : []));

export function encode(...parts: Part[]): Uint8Array {
  const w = new BinaryWriter();
  for (const p of parts) p(w);
  return w.finish();
}

/** `k8s\0` + runtime.Unknown{typeMeta, raw, contentEncoding: "", contentType: ""}, as client-go writes it. */
export function envelope(apiVersion: string, kind: string, raw: Uint8Array, extra: Part[] = [str(3, ''), str(4, '')]): Buffer {
  const body = encode(sub(1, str(1, apiVersion), str(2, kind)), bytes(2, raw), ...extra);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), body]);
}

/** ObjectMeta as gogo writes a fresh object's: every non-pointer field present, zero or not. */
export function freshMeta(name: string, namespace = ''): Part[] {
  return [str(1, name), str(2, ''), str(3, namespace), str(4, ''), str(5, ''), str(6, ''), int(7, 0), sub(8)];
}
