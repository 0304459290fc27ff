// Batched matrix product with optional bias and activation (tfjs BatchMatMul and _FusedMatMul).
// Each product is split by rows of the output over the pool, one single-threaded oneDNN GEMM each;
// a product with one output row is split by columns instead (rowTimesMatrix), and one of a single
// term per entry (an outer product) is our own (outerProduct).
#include "strict-fp.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string>

#include "common.h"

namespace apb {

namespace {

// Columns [c0, c0 + 16 V + r) of a[1, h] times w[h, n], r < 16, in one sweep over the rows with the
// accumulators in registers. Each column is the chain acc = fma(a_i, w_ij, acc) over i = 0, 1, ...
// from acc = +0: exactly what oneDNN's sgemm computes for one row times a matrix (checked bitwise
// on AVX-512, so the numbers did not change), but defined by std::fma alone: the same on every
// machine and for every split of the columns.
template <int V, bool WideTail>
void sweepColumns(const float* a, const float* w, float* out, int64_t h, int64_t n, int64_t c0, int64_t r) {
  constexpr int kFull = V * 16;
  float acc[kFull + 16];
  for (float& value : acc) value = 0.f;
  const float* row = w + c0;
  int64_t i = 0;
  if constexpr (WideTail) {
    // The r tail columns ride in one more vector whose other lanes read on into the next row (the
    // caller checked that this stays inside w); those lanes are never written out.
    for (; i + 1 < h; ++i, row += n) {
      const float ai = a[i];
#pragma omp simd
      for (int j = 0; j < kFull + 16; ++j) acc[j] = std::fma(ai, row[j], acc[j]);
    }
  }
  for (; i < h; ++i, row += n) {
    const float ai = a[i];
#pragma omp simd
    for (int j = 0; j < kFull; ++j) acc[j] = std::fma(ai, row[j], acc[j]);
    for (int64_t j = 0; j < r; ++j) acc[kFull + j] = std::fma(ai, row[kFull + j], acc[kFull + j]);
  }
  for (int64_t j = 0; j < kFull + r; ++j) out[c0 + j] = acc[j];
}

template <int V>
void sweepColumns(const float* a, const float* w, float* out, int64_t h, int64_t n, int64_t c0, int64_t r) {
  // The widened tail of row i ends at i n + c0 + 16 V + 16, inside w for every row but the last
  // when that is at most 2 n (always for n >= 16).
  if (r > 0 && c0 + V * 16 + 16 <= 2 * n) {
    sweepColumns<V, true>(a, w, out, h, n, c0, r);
  } else {
    sweepColumns<V, false>(a, w, out, h, n, c0, r);
  }
}

void rowTimesColumns(const float* a, const float* w, float* out, int64_t h, int64_t n, int64_t c0, int64_t c1) {
  for (int64_t c = c0; c < c1;) {
    const int64_t columns = std::min<int64_t>(128, c1 - c);
    const int64_t r = columns % 16;
    switch (columns / 16) {
      case 0: sweepColumns<0>(a, w, out, h, n, c, r); break;
      case 1: sweepColumns<1>(a, w, out, h, n, c, r); break;
      case 2: sweepColumns<2>(a, w, out, h, n, c, r); break;
      case 3: sweepColumns<3>(a, w, out, h, n, c, r); break;
      case 4: sweepColumns<4>(a, w, out, h, n, c, r); break;
      case 5: sweepColumns<5>(a, w, out, h, n, c, r); break;
      case 6: sweepColumns<6>(a, w, out, h, n, c, r); break;
      case 7: sweepColumns<7>(a, w, out, h, n, c, r); break;
      default: sweepColumns<8, false>(a, w, out, h, n, c, 0); break;
    }
    c += columns;
  }
}

}  // namespace

void rowTimesMatrix(const float* a, const float* b, float* out, int64_t n, int64_t k, bool transB) {
  // One output row is a single row block below, so it used to run on one thread. Both products
  // here are memory-bound, and a second core nearly halves them.
  // - b transposed: each output entry is oneDNN's dot product of a with one row of b, in an order
  //   that does not depend on how many entries one call covers (a test compares thread counts
  //   bitwise), so blocks of rows of b split over the pool keep the numbers.
  // - b not transposed: our own fma chains (sweepColumns), split by blocks of columns.
  const int64_t pieces = n * k < (1 << 16) ? 1 : std::min<int64_t>(threads(), (n + 15) / 16);
  const int64_t columnsPerPiece = ((n + pieces - 1) / pieces + 15) / 16 * 16;
  std::atomic<int> failure{0};
  parallelChunks(pieces, [&](int64_t piece, int) {
    const int64_t c0 = piece * columnsPerPiece;
    const int64_t c1 = std::min(n, c0 + columnsPerPiece);
    if (c1 <= c0) return;
    if (!transB) {
      rowTimesColumns(a, b, out, k, n, c0, c1);
      return;
    }
    const int status = sgemmStatus('N', 'T', 1, c1 - c0, k, 1.f, a, k, b + c0 * k, k, 0.f, out + c0, n);
    if (status != 0) failure = status;
  });
  if (failure != 0) throw std::runtime_error("BatchMatMul: oneDNN sgemm failed with status " + std::to_string(failure));
}

void outerProduct(const float* column, const float* row, float* out, int64_t h, int64_t n) {
  parallelFor(h, std::max<int64_t>(1, (1 << 15) / n), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float ci = column[i];
      float* outRow = out + i * n;
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) outRow[j] = std::fma(ci, row[j], 0.f);
    }
  });
}

void batchMatMul(const float* a, const float* b, float* out, int64_t batchA, int64_t batchB,
                 int64_t m, int64_t n, int64_t k, bool transA, bool transB, const float* bias,
                 int64_t biasSize, Activation act) {
  const int64_t batch = std::max(batchA, batchB);
  if (batch == 1 && k == 1) {
    // With one term per entry, both operands are plain vectors whatever their transposes.
    outerProduct(a, b, out, m, n);
    if (bias != nullptr || act != Activation::kLinear) applyBiasActivation(out, m, n, bias, biasSize, act);
    return;
  }
  if (batch == 1 && m == 1 && !transA) {
    // _FusedMatMul too, so that a fused and an unfused one-row product give the same numbers.
    rowTimesMatrix(a, b, out, n, k, transB);
    if (bias != nullptr || act != Activation::kLinear) applyBiasActivation(out, 1, n, bias, biasSize, act);
    return;
  }
  const int64_t lda = transA ? m : k;
  const int64_t ldb = transB ? k : n;
  // Row blocks of about 2^17 multiply-adds: smaller ones cost more to hand out than to compute.
  const int64_t rowsPerBlock = std::max<int64_t>(1, std::min<int64_t>(m, (1 << 17) / std::max<int64_t>(1, n * k)));
  const int64_t blocksPerMatrix = (m + rowsPerBlock - 1) / rowsPerBlock;
  std::atomic<int> failure{0};
  parallelChunks(batch * blocksPerMatrix, [&](int64_t chunk, int) {
    const int64_t i = chunk / blocksPerMatrix;
    const int64_t r0 = (chunk % blocksPerMatrix) * rowsPerBlock;
    const int64_t rows = std::min(m, r0 + rowsPerBlock) - r0;
    // A batch of one broadcasts against the other operand, as in tfjs's cpu kernel.
    const float* ai = a + (i % batchA) * m * k + (transA ? r0 : r0 * k);
    const float* bi = b + (i % batchB) * k * n;
    float* oi = out + i * m * n + r0 * n;
    const int status = sgemmStatus(transA ? 'T' : 'N', transB ? 'T' : 'N', rows, n, k, 1.f, ai, lda, bi, ldb, 0.f, oi, n);
    if (status != 0) failure = status;
    if (bias != nullptr || act != Activation::kLinear) applyBiasActivation(oi, rows, n, bias, biasSize, act);
  });
  if (failure != 0) throw std::runtime_error("BatchMatMul: oneDNN sgemm failed with status " + std::to_string(failure));
}

}  // namespace apb
