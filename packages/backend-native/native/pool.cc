// Max pooling, NHWC. The gradient goes to the first maximum of each window in row-major window
// order (strict '>'), the tie rule of tfjs's cpu kernel: after a ReLU, all-zero windows are common.
#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "common.h"

namespace apb {

namespace {

// The 2x2, stride-2, unpadded window of LeNet-style networks: windows tile the image without
// overlap, so the gradient writes each covered input once and no bounds checks are needed.
bool isTiled2x2(const ConvGeometry& g) {
  return g.filterH == 2 && g.filterW == 2 && g.strideH == 2 && g.strideW == 2 && g.dilationH == 1 &&
         g.dilationW == 1 && g.padTop == 0 && g.padLeft == 0 && 2 * g.outH <= g.inH && 2 * g.outW <= g.inW;
}

void maxPoolTiled2x2(const ConvGeometry& g, const float* x, float* y) {
  const int64_t rowStride = static_cast<int64_t>(g.inW) * g.inC;
  const int64_t rows = static_cast<int64_t>(g.batch) * g.outH;
  parallelFor(rows, 16, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t b = r / g.outH;
      const int oy = static_cast<int>(r % g.outH);
      const float* top = x + (b * g.inH + 2 * oy) * rowStride;
      const float* bottom = top + rowStride;
      float* out = y + r * g.outW * g.inC;
      for (int ox = 0; ox < g.outW; ++ox) {
        const int64_t at = static_cast<int64_t>(2 * ox) * g.inC;
        for (int c = 0; c < g.inC; ++c) {
          // Window order and strict '>' from -infinity, exactly as the general loop (NaN skipped).
          float m = -std::numeric_limits<float>::infinity();
          if (top[at + c] > m) m = top[at + c];
          if (top[at + g.inC + c] > m) m = top[at + g.inC + c];
          if (bottom[at + c] > m) m = bottom[at + c];
          if (bottom[at + g.inC + c] > m) m = bottom[at + g.inC + c];
          out[static_cast<int64_t>(ox) * g.inC + c] = m;
        }
      }
    }
  });
}

// One output row of 2x2 windows: the gradient of each window goes to its winner, the first
// corner in window order greater than every earlier one (strict '>' from -infinity; NaN never
// wins, and a window of NaNs sends its gradient nowhere), exactly the general loop's rule.
// Branch-free, so the channel loop vectorizes; with the channel count a compile-time constant
// (Channels > 0) the compiler can also use a vector narrower than the machine's for LeNet's 6.
template <int Channels>
void maxPoolGradRow(const float* top, const float* bottom, float* dtop, float* dbottom, const float* d, int outW, int runtimeChannels) {
  const int channels = Channels > 0 ? Channels : runtimeChannels;
  for (int ox = 0; ox < outW; ++ox) {
    const int64_t at = static_cast<int64_t>(2 * ox) * channels;
    const int64_t right = at + channels;
    const float* dWindow = d + static_cast<int64_t>(ox) * channels;
#pragma omp simd
    for (int c = 0; c < channels; ++c) {
      const float v0 = top[at + c];
      const float v1 = top[right + c];
      const float v2 = bottom[at + c];
      const float v3 = bottom[right + c];
      float best = -std::numeric_limits<float>::infinity();
      int winner = -1;
      if (v0 > best) { best = v0; winner = 0; }
      if (v1 > best) { best = v1; winner = 1; }
      if (v2 > best) { best = v2; winner = 2; }
      if (v3 > best) { winner = 3; }
      const float gradient = dWindow[c];
      dtop[at + c] = winner == 0 ? gradient : 0.f;
      dtop[right + c] = winner == 1 ? gradient : 0.f;
      dbottom[at + c] = winner == 2 ? gradient : 0.f;
      dbottom[right + c] = winner == 3 ? gradient : 0.f;
    }
  }
}

using MaxPoolGradRow = void (*)(const float*, const float*, float*, float*, const float*, int, int);

MaxPoolGradRow gradRowFor(int channels) {
  switch (channels) {
    case 6: return maxPoolGradRow<6>;
    case 16: return maxPoolGradRow<16>;
    default: return maxPoolGradRow<0>;
  }
}

void maxPoolGradTiled2x2(const ConvGeometry& g, const float* dy, const float* x, float* dx) {
  const int64_t rowStride = static_cast<int64_t>(g.inW) * g.inC;
  const int64_t imageSize = static_cast<int64_t>(g.inH) * rowStride;
  // Rows no window covers (odd heights) get no gradient.
  if (2 * g.outH < g.inH) {
    for (int64_t b = 0; b < g.batch; ++b) {
      std::memset(dx + b * imageSize + 2 * g.outH * rowStride, 0, sizeof(float) * (g.inH - 2 * g.outH) * rowStride);
    }
  }
  const int64_t rows = static_cast<int64_t>(g.batch) * g.outH;
  const int64_t covered = static_cast<int64_t>(2 * g.outW) * g.inC;
  const MaxPoolGradRow gradRow = gradRowFor(g.inC);
  parallelFor(rows, 16, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t b = r / g.outH;
      const int oy = static_cast<int>(r % g.outH);
      const int64_t topAt = b * imageSize + 2 * oy * rowStride;
      const float* top = x + topAt;
      const float* bottom = top + rowStride;
      float* dtop = dx + topAt;
      float* dbottom = dtop + rowStride;
      const float* d = dy + r * g.outW * g.inC;
      // Columns no window covers (odd widths) get no gradient.
      if (covered < rowStride) {
        std::memset(dtop + covered, 0, sizeof(float) * (rowStride - covered));
        std::memset(dbottom + covered, 0, sizeof(float) * (rowStride - covered));
      }
      gradRow(top, bottom, dtop, dbottom, d, g.outW, g.inC);
    }
  });
}

}  // namespace

void maxPool(const ConvGeometry& g, const float* x, float* y) {
  if (isTiled2x2(g)) {
    maxPoolTiled2x2(g, x, y);
    return;
  }
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
  if (isTiled2x2(g)) {
    maxPoolGradTiled2x2(g, dy, x, dx);
    return;
  }
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
