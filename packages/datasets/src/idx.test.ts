import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDatasetError } from './errors.js';
import { decodeIdx, encodeIdx, readIdx, writeIdx, type IdxData } from './idx.js';
import { makeTempDir, removeDir } from './testing-internal/fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

async function expectError(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDatasetError(error), String(error)).toBe(true);
  if (!isDatasetError(error)) return;
  expect(error.code).toBe(code);
  expect(error.message).toMatch(pattern);
  expect(error.message).not.toContain('\n');
  expect(error.suggestion).toBeTruthy();
}

describe('encodeIdx and decodeIdx', () => {
  it('writes the header and big-endian values byte for byte as the IDX format defines', () => {
    const bytes = encodeIdx({ shape: [2, 2], data: new Uint8Array([1, 2, 3, 250]) });
    expect([...bytes]).toEqual([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 250]);
    const shorts = encodeIdx({ shape: [2], data: new Int16Array([258, -2]) });
    expect([...shorts]).toEqual([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe]);
  });

  it('round-trips every IDX dtype', () => {
    const arrays: IdxData[] = [
      new Uint8Array([0, 7, 255]),
      new Int8Array([-128, 0, 127]),
      new Int16Array([-32768, 1, 32767]),
      new Int32Array([-2147483648, 5, 2147483647]),
      new Float32Array([-1.5, 0, 3.25]),
      new Float64Array([Math.PI, -0, 1e300]),
    ];
    for (const data of arrays) {
      const decoded = decodeIdx(encodeIdx({ shape: [3, 1], data }));
      expect(decoded.shape).toEqual([3, 1]);
      expect(decoded.data.constructor).toBe(data.constructor);
      expect([...decoded.data]).toEqual([...data]);
    }
  });

  it('rejects a shape that does not fit the data', () => {
    expect(() => encodeIdx({ shape: [2, 2], data: new Uint8Array(3) })).toThrow(/does not fit 3 values/);
  });

  it('names the file and the problem for wrong magic, unknown dtype and bad lengths', () => {
    const good = encodeIdx({ shape: [2, 3], data: new Uint8Array(6) });
    const wrongMagic = good.slice();
    wrongMagic[0] = 0x1f;
    expect(() => decodeIdx(wrongMagic, 'x.idx')).toThrow(/^x\.idx: wrong magic number 0x1f000802/);
    const badDtype = good.slice();
    badDtype[2] = 0x07;
    expect(() => decodeIdx(badDtype, 'x.idx')).toThrow(/unknown IDX dtype byte 0x07/);
    expect(() => decodeIdx(good.subarray(0, good.length - 1), 'x.idx')).toThrow(/declares shape \[2, 3\].*has 17 bytes \(truncated\)/);
    const longer = new Uint8Array(good.length + 2);
    longer.set(good);
    expect(() => decodeIdx(longer, 'x.idx')).toThrow(/trailing data/);
    expect(() => decodeIdx(new Uint8Array([0, 0]), 'x.idx')).toThrow(/too short/);
    expect(() => decodeIdx(new Uint8Array([0, 0, 8, 3, 0, 0]), 'x.idx')).toThrow(/too short for a header of 3 dimensions/);
  });
});

describe('readIdx and writeIdx', () => {
  it('writes gzip when the name ends in .gz and raw otherwise, and reads both back', async () => {
    const data = new Uint8Array([9, 8, 7, 6, 5, 4]);
    await writeIdx(join(dir, 'a.idx.gz'), { shape: [3, 2], data });
    await writeIdx(join(dir, 'a.idx'), { shape: [3, 2], data });
    const gz = await readFile(join(dir, 'a.idx.gz'));
    expect(gz[0]).toBe(0x1f);
    expect(new Uint8Array(gunzipSync(gz))).toEqual(new Uint8Array(await readFile(join(dir, 'a.idx'))));
    for (const name of ['a.idx.gz', 'a.idx']) {
      const read = await readIdx(join(dir, name));
      expect(read.shape).toEqual([3, 2]);
      expect([...read.data]).toEqual([...data]);
    }
  });

  it('leaves only the final file behind (the temp file is renamed)', async () => {
    await writeIdx(join(dir, 'b.gz'), { shape: [1], data: new Uint8Array([1]) });
    expect(await readdir(dir)).toEqual(['b.gz']);
  });

  it('leaves nothing behind when the write cannot complete', async () => {
    await expect(writeIdx(join(dir, 'c.gz'), { shape: [5], data: new Uint8Array(2) })).rejects.toThrow(/does not fit/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports a truncated .gz with the file name and what to do', async () => {
    const gz = gzipSync(encodeIdx({ shape: [100], data: new Uint8Array(100).fill(3) }));
    const path = join(dir, 'cut.gz');
    await writeFile(path, gz.subarray(0, gz.length - 10));
    await expectError(readIdx(path), 'GZIP_TRUNCATED', /cut\.gz: gzip data is truncated/);
  });

  it('reports a .gz file that is not gzip', async () => {
    const path = join(dir, 'plain.gz');
    await writeFile(path, encodeIdx({ shape: [2], data: new Uint8Array(2) }));
    await expectError(readIdx(path), 'GZIP_NOT_GZIP', /plain\.gz: not a gzip file/);
  });

  it('reports corrupt gzip data', async () => {
    const gz = gzipSync(encodeIdx({ shape: [100], data: new Uint8Array(100).fill(3) }));
    gz.fill(0xaa, 10, 20);
    const path = join(dir, 'bad.gz');
    await writeFile(path, gz);
    await expectError(readIdx(path), 'GZIP_CORRUPT', /bad\.gz: gzip data is corrupt/);
  });

  it('reports wrong magic and header/length disagreement in files', async () => {
    const path = join(dir, 'short.idx');
    await writeFile(path, encodeIdx({ shape: [4], data: new Uint8Array(4) }).subarray(0, 10));
    await expectError(readIdx(path), 'IDX_LENGTH_MISMATCH', /short\.idx: header declares shape \[4\]/);
    const magicPath = join(dir, 'magic.idx');
    await writeFile(magicPath, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    await expectError(readIdx(magicPath), 'IDX_BAD_MAGIC', /magic\.idx: wrong magic number 0x01020304/);
  });

  it('reports a missing file', async () => {
    await expectError(readIdx(join(dir, 'nope.gz')), 'FILE_NOT_FOUND', /nope\.gz: cannot read file \(ENOENT\)/);
  });
});
