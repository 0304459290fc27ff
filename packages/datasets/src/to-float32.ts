// A 256-entry table turns normalisation into one lookup per pixel, with results identical to
// `x / 255` in float32 on every platform.
const TABLE = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/** Pixel bytes as floats in [0, 1] (`x / 255`). */
export function toFloat32(images: Uint8Array): Float32Array {
  const out = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = TABLE[images[i]!]!;
  return out;
}
