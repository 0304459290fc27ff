// Direct convolution for one input channel, stride 1, no dilation: a network's first layer on
// greyscale images (LeNet's conv 6@5x5 on MNIST). im2col would blow the input up 25-fold for a GEMM
// with only 6 columns; here the innermost loops run along an output row, contiguous in the input,
// and vectorise. Rows are transposed to [channel][column] scratch so every loop is unit-stride.
#include <algorithm>
#include <cstring>
#include <vector>

#include "common.h"

namespace apb {

namespace {

// Output columns ox whose input column ox - padLeft + kx lies inside the image.
inline void columnRange(const ConvGeometry& g, int kx, int* lo, int* hi) {
  *lo = std::max(0, g.padLeft - kx);
  *hi = std::min(g.outW, g.inW + g.padLeft - kx);
}

std::vector<float>& scratch(size_t size) {
  thread_local std::vector<float> buffer;
  if (buffer.size() < size) buffer.resize(size);
  return buffer;
}

}  // namespace

bool singleChannelDirect(const ConvGeometry& g) {
  return g.inC == 1 && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1 && g.dilationW == 1 && g.outW > 0;
}

void conv2dForwardSingleChannel(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                                int64_t biasSize, Activation act, float* y) {
  const int64_t rows = static_cast<int64_t>(g.batch) * g.outH;
  const int oc = g.outC;
  parallelFor(rows, 8, [&](int64_t begin, int64_t end) {
    float* acc = scratch(static_cast<size_t>(oc) * g.outW).data();
    for (int64_t r = begin; r < end; ++r) {
      const int64_t b = r / g.outH;
      const int oy = static_cast<int>(r % g.outH);
      std::fill(acc, acc + static_cast<int64_t>(oc) * g.outW, 0.f);
      for (int ky = 0; ky < g.filterH; ++ky) {
        const int iy = oy - g.padTop + ky;
        if (iy < 0 || iy >= g.inH) continue;
        const float* xrow = x + (b * g.inH + iy) * g.inW;
        for (int kx = 0; kx < g.filterW; ++kx) {
          int lo, hi;
          columnRange(g, kx, &lo, &hi);
          const float* xs = xrow + (kx - g.padLeft);
          const float* wk = w + static_cast<int64_t>(ky * g.filterW + kx) * oc;
          for (int o = 0; o < oc; ++o) {
            const float wv = wk[o];
            float* a = acc + static_cast<int64_t>(o) * g.outW;
#pragma omp simd
            for (int ox = lo; ox < hi; ++ox) a[ox] += wv * xs[ox];
          }
        }
      }
      float* out = y + r * g.outW * oc;
      for (int ox = 0; ox < g.outW; ++ox) {
        for (int o = 0; o < oc; ++o) out[static_cast<int64_t>(ox) * oc + o] = acc[static_cast<int64_t>(o) * g.outW + ox];
      }
      applyBiasActivation(out, g.outW, oc, bias, biasSize, act);
    }
  });
}

void conv2dBackpropFilterSingleChannel(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const int64_t rows = static_cast<int64_t>(g.batch) * g.outH;
  const int oc = g.outC;
  const int64_t filterSize = static_cast<int64_t>(g.filterH) * g.filterW * oc;
  const int team = threads();
  // Per-thread partial sums in double: each filter entry sums batch x outH x outW products.
  std::vector<double> partial(static_cast<size_t>(team) * filterSize, 0.0);
  const int64_t rowsPerChunk = std::max<int64_t>(1, std::min<int64_t>(64, (rows + 4 * team - 1) / (4 * team)));
  parallelChunks((rows + rowsPerChunk - 1) / rowsPerChunk, [&](int64_t chunk, int thread) {
    double* mine = partial.data() + thread * filterSize;
    float* dyT = scratch(static_cast<size_t>(oc) * g.outW).data();
    const int64_t end = std::min(rows, (chunk + 1) * rowsPerChunk);
    for (int64_t r = chunk * rowsPerChunk; r < end; ++r) {
      const int64_t b = r / g.outH;
      const int oy = static_cast<int>(r % g.outH);
      const float* d = dy + r * g.outW * oc;
      for (int ox = 0; ox < g.outW; ++ox) {
        for (int o = 0; o < oc; ++o) dyT[static_cast<int64_t>(o) * g.outW + ox] = d[static_cast<int64_t>(ox) * oc + o];
      }
      for (int ky = 0; ky < g.filterH; ++ky) {
        const int iy = oy - g.padTop + ky;
        if (iy < 0 || iy >= g.inH) continue;
        const float* xrow = x + (b * g.inH + iy) * g.inW;
        for (int kx = 0; kx < g.filterW; ++kx) {
          int lo, hi;
          columnRange(g, kx, &lo, &hi);
          const float* xs = xrow + (kx - g.padLeft);
          double* target = mine + static_cast<int64_t>(ky * g.filterW + kx) * oc;
          for (int o = 0; o < oc; ++o) {
            const float* dt = dyT + static_cast<int64_t>(o) * g.outW;
            float sum = 0.f;
#pragma omp simd reduction(+ : sum)
            for (int ox = lo; ox < hi; ++ox) sum += xs[ox] * dt[ox];
            target[o] += sum;
          }
        }
      }
    }
  });
  for (int64_t i = 0; i < filterSize; ++i) {
    double sum = 0.0;
    for (int t = 0; t < team; ++t) sum += partial[t * filterSize + i];
    dw[i] = static_cast<float>(sum);
  }
}

void conv2dBackpropInputSingleChannel(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  const int oc = g.outC;
  const int64_t imageSize = static_cast<int64_t>(g.inH) * g.inW;
  // Output rows of one image all add into that image: split by image, not by row.
  parallelFor(g.batch, 1, [&](int64_t begin, int64_t end) {
    float* dyT = scratch(static_cast<size_t>(oc) * g.outW).data();
    for (int64_t b = begin; b < end; ++b) {
      float* image = dx + b * imageSize;
      std::memset(image, 0, sizeof(float) * imageSize);
      for (int oy = 0; oy < g.outH; ++oy) {
        const float* d = dy + ((b * g.outH + oy) * g.outW) * oc;
        for (int ox = 0; ox < g.outW; ++ox) {
          for (int o = 0; o < oc; ++o) dyT[static_cast<int64_t>(o) * g.outW + ox] = d[static_cast<int64_t>(ox) * oc + o];
        }
        for (int ky = 0; ky < g.filterH; ++ky) {
          const int iy = oy - g.padTop + ky;
          if (iy < 0 || iy >= g.inH) continue;
          float* dxrow = image + static_cast<int64_t>(iy) * g.inW;
          for (int kx = 0; kx < g.filterW; ++kx) {
            int lo, hi;
            columnRange(g, kx, &lo, &hi);
            float* ds = dxrow + (kx - g.padLeft);
            const float* wk = w + static_cast<int64_t>(ky * g.filterW + kx) * oc;
            for (int o = 0; o < oc; ++o) {
              const float wv = wk[o];
              const float* dt = dyT + static_cast<int64_t>(o) * g.outW;
#pragma omp simd
              for (int ox = lo; ox < hi; ++ox) ds[ox] += wv * dt[ox];
            }
          }
        }
      }
    }
  });
}

}  // namespace apb
