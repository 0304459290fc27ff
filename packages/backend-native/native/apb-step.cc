// The multimodal APB memory step (kernel ApbMultimodalStep; paper Alg. 2 with DenseApb's budget and
// clip): the ~25 small tensor operations of the layer's portable step in one call. Every operation
// is the one the portable step runs on the native backend, in its order and float32 rounding: the
// products are BatchMatMul's own one-row products (rowTimesMatrix), and the rest mirrors tfjs's cpu
// kernels (Sign, Abs, Max, divNoNan, Minimum, ClipByValue), so the memories come out bitwise the same.
#include "strict-fp.h"

#include <cmath>
#include <vector>

#include "common.h"

namespace apb {

namespace {

// tf.max(tf.abs(x)) as tfjs's cpu kernel reduces: any NaN makes the result NaN.
float maxAbs(const float* x, int64_t n) {
  float best = std::fabs(x[0]);
  for (int64_t i = 0; i < n; ++i) {
    const float v = std::fabs(x[i]);
    if (std::isnan(v) || v > best) best = v;
  }
  return best;
}

// tf.divNoNan(eps, tf.max(tf.abs(step W_ap))): the factor that makes the step move no entry of
// delta by more than eps; 0 when the step moves none.
float budgetScale(float eps, const float* step, const float* w, float* product, int64_t h, int64_t n) {
  rowTimesMatrix(step, w, product, n, h, false);
  const float largest = maxAbs(product, n);
  return largest == 0.f ? 0.f : eps / largest;
}

}  // namespace

void apbMultimodalStep(const MultimodalStepParams& p, const float* gradientSum, const float* w, const float* memories,
                       float* next, int64_t h, int64_t n) {
  std::vector<float> direction(h);
  std::vector<float> product(n);
  // sigma = sign(G_sum W_ap^T)
  rowTimesMatrix(gradientSum, w, direction.data(), h, n, true);
  apb::sign(direction.data(), direction.data(), h);
  const float epsM = p.budgeted ? budgetScale(p.eps, direction.data(), w, product.data(), h, n) : p.eps;
  const float scale = epsM * p.sign;
  for (int64_t i = 0; i < h; ++i) {
    const float base = p.accumulate ? memories[i] : 0.f;
    next[i] = base + direction[i] * scale;
  }
  if (!p.hasClip) return;
  apb::clipByValue(next, next, h, -p.clip, p.clip);
  if (!p.budgeted) return;
  // The clipped step, shortened back into the budget (see DenseApb.applyApbStep).
  std::vector<float>& clipped = direction;
  for (int64_t i = 0; i < h; ++i) clipped[i] = next[i] - (p.accumulate ? memories[i] : 0.f);
  const float shorten = budgetScale(p.eps, clipped.data(), w, product.data(), h, n);
  // tf.minimum(1, s): Math.min's semantics, NaN wins.
  const float factor = std::isnan(shorten) ? shorten : (shorten < 1.f ? shorten : 1.f);
  for (int64_t i = 0; i < h; ++i) {
    const float base = p.accumulate ? memories[i] : 0.f;
    next[i] = base + clipped[i] * factor;
  }
}

}  // namespace apb
