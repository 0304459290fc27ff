import { describe, expect, it } from 'vitest';
import { toFloat32 } from './to-float32.js';

describe('toFloat32', () => {
  it('maps every byte value x to float32(x / 255), so 0 -> 0 and 255 -> 1', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const out = toFloat32(all);
    expect(out).toBeInstanceOf(Float32Array);
    for (let i = 0; i < 256; i++) expect(out[i]).toBe(Math.fround(i / 255));
    expect(out[0]).toBe(0);
    expect(out[255]).toBe(1);
  });

  it('keeps the order and length of the input', () => {
    expect([...toFloat32(new Uint8Array([255, 0, 51]))]).toEqual([1, 0, Math.fround(0.2)]);
    expect(toFloat32(new Uint8Array(0)).length).toBe(0);
  });
});
