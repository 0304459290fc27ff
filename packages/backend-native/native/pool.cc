// Max pooling, NHWC. The gradient goes to the first maximum of each window in row-major window
// order (strict '>'), the tie rule of tfjs's cpu kernel: after a ReLU, all-zero windows are common.
#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "common.h"

namespace apb {

void maxPool(const ConvGeometry& g, const float* x, float* y) {
  const int64_t rows = static_cast<int64_t>(g.batch) * g.outH;
  const int64_t rowWork = static_cast<int64_t>(g.outW) * g.inC * g.filterH * g.filterW;
  parallelFor(rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, rowWork)), [&](int64_t begin, int64_t end) {
  for (int64_t r = begin; r < end; ++r) {
    const int b = static_cast<int>(r / g.outH);
    const int oy = static_cast<int>(r % g.outH);
    const float* image = x + static_cast<int64_t>(b) * g.inH * g.inW * g.inC;
    float* out = y + r * g.outW * g.inC;
    for (int ox = 0; ox < g.outW; ++ox) {
      float* o = out + static_cast<int64_t>(ox) * g.inC;
      for (int c = 0; c < g.inC; ++c) o[c] = -std::numeric_limits<float>::infinity();
      for (int ky = 0; ky < g.filterH; ++ky) {
        const int iy = oy * g.strideH - g.padTop + ky * g.dilationH;
        if (iy < 0 || iy >= g.inH) continue;
        for (int kx = 0; kx < g.filterW; ++kx) {
          const int ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
          if (ix < 0 || ix >= g.inW) continue;
          const float* p = image + (static_cast<int64_t>(iy) * g.inW + ix) * g.inC;
          for (int c = 0; c < g.inC; ++c) {
            // A NaN never compares greater, so it is skipped, as in the cpu kernel.
            if (p[c] > o[c]) o[c] = p[c];
          }
        }
      }
    }
  }
  });
}

void maxPoolGrad(const ConvGeometry& g, const float* dy, const float* x, float* dx) {
  const int64_t imageSize = static_cast<int64_t>(g.inH) * g.inW * g.inC;
  parallelFor(g.batch, 1, [&](int64_t begin, int64_t end) {
    // Per-channel running maxima, so the innermost loop runs over contiguous channels.
    std::vector<float> best(g.inC);
    std::vector<int64_t> where(g.inC);
    for (int64_t b = begin; b < end; ++b) {
      const float* image = x + b * imageSize;
      float* dimage = dx + b * imageSize;
      std::memset(dimage, 0, sizeof(float) * imageSize);
      const float* dyImage = dy + b * g.outH * g.outW * g.inC;
      for (int oy = 0; oy < g.outH; ++oy) {
        for (int ox = 0; ox < g.outW; ++ox) {
          std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
          std::fill(where.begin(), where.end(), -1);
          for (int ky = 0; ky < g.filterH; ++ky) {
            const int iy = oy * g.strideH - g.padTop + ky * g.dilationH;
            if (iy < 0 || iy >= g.inH) continue;
            for (int kx = 0; kx < g.filterW; ++kx) {
              const int ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
              if (ix < 0 || ix >= g.inW) continue;
              const int64_t at = (static_cast<int64_t>(iy) * g.inW + ix) * g.inC;
              const float* p = image + at;
              for (int c = 0; c < g.inC; ++c) {
                if (p[c] > best[c]) {
                  best[c] = p[c];
                  where[c] = at + c;
                }
              }
            }
          }
          const float* d = dyImage + (static_cast<int64_t>(oy) * g.outW + ox) * g.inC;
          for (int c = 0; c < g.inC; ++c) {
            if (where[c] >= 0) dimage[where[c]] += d[c];
          }
        }
      }
    }
  });
}

}  // namespace apb
