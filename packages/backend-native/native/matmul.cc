// Batched matrix product with optional bias and activation (tfjs BatchMatMul and _FusedMatMul).
// Each product is split by rows of the output over the pool, one single-threaded oneDNN GEMM each;
// a product with one output row is split by columns instead (rowTimesMatrix), and one of a single
// term per entry (an outer product) is our own (outerProduct).
#include "strict-fp.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string>

#include "common.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define APB_AVX2_DOTS 1
#endif

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

// The dot product of x and w_i (k entries each) in the order of oneDNN v2.6's sgemv for a
// transposed matrix (jit_avx_gemv_t_f32_kern with FMA, which the row-times-transposed-matrix
// products took before, checked bitwise here on AVX-512 for k = 1 ... 260): eight lanes, each an
// fma chain over entries p = lane, lane + 8, lane + 16, ... of the 16-entry blocks; the lanes
// summed as ((l0 + l1) + (l4 + l5)) + ((l2 + l3) + (l6 + l7)); then the 8, 4, 2 and 1 entries left
// over, each group summed the same way from fma(x, w, +0) lanes and added to the total. R rows at
// once keep R independent chains in flight.
#ifdef APB_AVX2_DOTS
inline float sumLanes(__m256 v) {
  const __m256 pairs = _mm256_hadd_ps(v, v);
  const __m256 halves = _mm256_add_ps(pairs, _mm256_permute2f128_ps(pairs, pairs, 1));
  return _mm256_cvtss_f32(_mm256_hadd_ps(halves, halves));
}

// The first `count` (8, 4, 2 or 1) floats at p in the low lanes, zeros above, as the kernel loads them.
inline __m256 loadGroup(const float* p, int64_t count) {
  switch (count) {
    case 8: return _mm256_loadu_ps(p);
    case 4: return _mm256_zextps128_ps256(_mm_loadu_ps(p));
    case 2: return _mm256_zextps128_ps256(_mm_castpd_ps(_mm_load_sd(reinterpret_cast<const double*>(p))));
    default: return _mm256_zextps128_ps256(_mm_load_ss(p));
  }
}

template <int R>
void dotRowsBlock(const float* x, const float* w, int64_t k, float* out) {
  std::array<__m256, R> acc;
  for (auto& v : acc) v = _mm256_setzero_ps();
  int64_t p = 0;
  for (; p + 16 <= k; p += 16) {
    const __m256 x0 = _mm256_loadu_ps(x + p);
    const __m256 x1 = _mm256_loadu_ps(x + p + 8);
    for (int r = 0; r < R; ++r) {
      acc[r] = _mm256_fmadd_ps(x0, _mm256_loadu_ps(w + r * k + p), acc[r]);
      acc[r] = _mm256_fmadd_ps(x1, _mm256_loadu_ps(w + r * k + p + 8), acc[r]);
    }
  }
  std::array<float, R> total;
  for (int r = 0; r < R; ++r) total[r] = p > 0 ? 0.f + sumLanes(acc[r]) : 0.f;
  for (int64_t group = 8; group > 0; group >>= 1) {
    if (((k - p) & group) == 0) continue;
    const __m256 xv = loadGroup(x + p, group);
    for (int r = 0; r < R; ++r) {
      total[r] = total[r] + sumLanes(_mm256_fmadd_ps(xv, loadGroup(w + r * k + p, group), _mm256_setzero_ps()));
    }
    p += group;
  }
  for (int r = 0; r < R; ++r) out[r] = total[r];
}
#else
inline float sumLanes(const float* v) { return ((v[0] + v[1]) + (v[4] + v[5])) + ((v[2] + v[3]) + (v[6] + v[7])); }

template <int R>
void dotRowsBlock(const float* x, const float* w, int64_t k, float* out) {
  for (int r = 0; r < R; ++r) {
    const float* wr = w + r * k;
    float acc[8] = {};
    int64_t p = 0;
    for (; p + 16 <= k; p += 16) {
      for (int l = 0; l < 8; ++l) acc[l] = std::fma(x[p + l], wr[p + l], acc[l]);
      for (int l = 0; l < 8; ++l) acc[l] = std::fma(x[p + 8 + l], wr[p + 8 + l], acc[l]);
    }
    float total = p > 0 ? 0.f + sumLanes(acc) : 0.f;
    for (int64_t group = 8; group > 0; group >>= 1) {
      if (((k - p) & group) == 0) continue;
      float lanes[8] = {};
      for (int64_t l = 0; l < group; ++l) lanes[l] = std::fma(x[p + l], wr[p + l], 0.f);
      total = total + sumLanes(lanes);
      p += group;
    }
    out[r] = total;
  }
}
#endif

// out[i] = the dot product of x with row i of w[.., k], for i in [i0, i1).
void dotRows(const float* x, const float* w, float* out, int64_t i0, int64_t i1, int64_t k) {
  int64_t i = i0;
  for (; i + 4 <= i1; i += 4) dotRowsBlock<4>(x, w + i * k, k, out + i);
  for (; i < i1; ++i) dotRowsBlock<1>(x, w + i * k, k, out + i);
}

}  // namespace

void rowTimesMatrix(const float* a, const float* b, float* out, int64_t n, int64_t k, bool transB) {
  // One output row is a single row block in batchMatMul, so it used to run on one thread. Both
  // products here are memory-bound, and a second core nearly halves them. Both are our own, so
  // they give the same numbers on every machine and for every thread count:
  // - b transposed: one dot product per output entry (dotRows), blocks of entries split over the pool;
  // - b not transposed: fma chains per column (sweepColumns), blocks of columns split over the pool.
  if (transB) {
    const int64_t grain = std::max<int64_t>(4, (1 << 15) / std::max<int64_t>(1, k));
    parallelFor(n, grain, [&](int64_t begin, int64_t end) { dotRows(a, b, out, begin, end, k); });
    return;
  }
  const int64_t pieces = n * k < (1 << 16) ? 1 : std::min<int64_t>(threads(), (n + 15) / 16);
  const int64_t columnsPerPiece = ((n + pieces - 1) / pieces + 15) / 16 * 16;
  parallelChunks(pieces, [&](int64_t piece, int) {
    const int64_t c0 = piece * columnsPerPiece;
    const int64_t c1 = std::min(n, c0 + columnsPerPiece);
    if (c1 > c0) rowTimesColumns(a, b, out, k, n, c0, c1);
  });
}

void outerProduct(const float* column, const float* row, float* out, int64_t h, int64_t n) {
  parallelFor(h, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(1, n)), [&](int64_t begin, int64_t end) {
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
  const AsyncSignalsHeld signalsHeld;
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
