// Batched matrix product with optional bias and activation (tfjs BatchMatMul and _FusedMatMul).
// Each product is split by rows of the output over the pool, one single-threaded oneDNN GEMM each.
#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>

#include "common.h"

namespace apb {

void batchMatMul(const float* a, const float* b, float* out, int64_t batchA, int64_t batchB,
                 int64_t m, int64_t n, int64_t k, bool transA, bool transB, const float* bias,
                 int64_t biasSize, Activation act) {
  const int64_t batch = std::max(batchA, batchB);
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
