// The fused Adam step (kernel ApbAdamUpdate): one pass over each variable instead of the stock
// optimizer's ~28 tensor operations, each allocating its output.
#include "strict-fp.h"

#include <algorithm>
#include <cmath>

#include "common.h"

namespace apb {

namespace {
// Elements per chunk: below this, handing work to another thread costs more than it saves.
constexpr int64_t kGrain = 1 << 15;
}  // namespace

// One element of the update. Each line is one float32 operation of the stock optimizer, in its
// order; sqrt rounds correctly, and nothing here may become a fused multiply-add (GCC contracts
// a * b + c under -march=native otherwise), so the numbers are bitwise the stock optimizer's.
// Each element is read before it is written and no other is touched, so the outputs may be the
// inputs (an in-place step) and the callers' loops are still safe to vectorize.
__attribute__((always_inline)) inline void adamElement(const AdamParams& p, float gk, const float* value, const float* m,
                                                       const float* v, float* newValue, float* newM, float* newV) {
  const float mk = *m * p.beta1 + gk * p.oneMinusBeta1;
  const float vk = *v * p.beta2 + (gk * gk) * p.oneMinusBeta2;
  *newM = mk;
  *newV = vk;
  const float correctedM = mk / p.oneMinusAccBeta1;
  const float correctedV = vk / p.oneMinusAccBeta2;
  const float step = (correctedM / (std::sqrt(correctedV) + p.epsilon)) * p.negativeRate;
  *newValue = step + *value;
}

void adamUpdate(const AdamParams& p, const float* value, const float* m, const float* v, const float* g,
                float* newValue, float* newM, float* newV, int64_t n) {
  parallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t k = begin; k < end; ++k) adamElement(p, g[k], value + k, m + k, v + k, newValue + k, newM + k, newV + k);
  });
}

void adamUpdateOuter(const AdamParams& p, const float* value, const float* m, const float* v, const float* column,
                     const float* row, float* newValue, float* newM, float* newV, int64_t h, int64_t n) {
  // The gradient's entries as outerProduct makes them (fma from +0), never stored: the step then
  // reads three arrays instead of four.
  parallelFor(h, std::max<int64_t>(1, kGrain / n), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float ci = column[i];
      const int64_t base = i * n;
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) {
        const int64_t k = base + j;
        adamElement(p, std::fma(ci, row[j], 0.f), value + k, m + k, v + k, newValue + k, newM + k, newV + k);
      }
    }
  });
}

}  // namespace apb
