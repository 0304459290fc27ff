// The fused Adam step (kernel ApbAdamUpdate): one pass over each variable instead of the stock
// optimizer's ~28 tensor operations, each allocating its output.
#include "strict-fp.h"

#include <cmath>

#include "common.h"

namespace apb {

namespace {
// Elements per chunk: below this, handing work to another thread costs more than it saves.
constexpr int64_t kGrain = 1 << 15;
}  // namespace

// Each line is one float32 operation of the stock optimizer, in its order; sqrt rounds correctly,
// and nothing here may become a fused multiply-add (GCC contracts a * b + c under -march=native
// otherwise), so the numbers are bitwise the stock optimizer's.
void adamUpdate(const AdamParams& p, const float* value, const float* m, const float* v, const float* g,
                float* newValue, float* newM, float* newV, int64_t n) {
  parallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
    // Each element is read before it is written and no other is touched, so the outputs may be
    // the inputs (an in-place step) and the loop is still safe to vectorize.
#pragma omp simd
    for (int64_t k = begin; k < end; ++k) {
      const float gk = g[k];
      const float mk = m[k] * p.beta1 + gk * p.oneMinusBeta1;
      const float vk = v[k] * p.beta2 + (gk * gk) * p.oneMinusBeta2;
      newM[k] = mk;
      newV[k] = vk;
      const float correctedM = mk / p.oneMinusAccBeta1;
      const float correctedV = vk / p.oneMinusAccBeta2;
      const float step = (correctedM / (std::sqrt(correctedV) + p.epsilon)) * p.negativeRate;
      newValue[k] = step + value[k];
    }
  });
}

}  // namespace apb
