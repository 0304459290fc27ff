// Direct convolution for one input channel, stride 1, no dilation: a network's first layer on
// greyscale images (LeNet's conv 6@5x5 on MNIST). im2col would blow the input up 25-fold for a GEMM
// with only 6 columns; here the innermost loops run along an output row, contiguous in the input,
// and vectorise. Rows are transposed to [channel][column] scratch so every loop is unit-stride.
#include <algorithm>
#include <cmath>
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

// One image's dy, [outH][outW][oc], as [row][channel][column]: column ox of channel o of row oy
// goes to out[(oy * channels + o) * stride + offset + ox], with channels >= oc; the rest of out
// is left as it is (the callers zero it, so whole vectors can be read past the row).
void transposeRows(const ConvGeometry& g, const float* d, int channels, int64_t stride, int offset, float* out) {
  const int oc = g.outC;
  for (int oy = 0; oy < g.outH; ++oy) {
    const float* row = d + static_cast<int64_t>(oy) * g.outW * oc;
    for (int ox = 0; ox < g.outW; ++ox) {
      for (int o = 0; o < oc; ++o) {
        out[(static_cast<int64_t>(oy) * channels + o) * stride + offset + ox] = row[static_cast<int64_t>(ox) * oc + o];
      }
    }
  }
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

// Vector width (floats) of the register-blocked loops and output channels per block: an 8 x 16
// accumulator tile stays in registers while the filter taps stream past it.
constexpr int kLanes = 16;
constexpr int kChannelBlock = 8;

// One image copied into a zero-bordered buffer, so the inner loops need no bounds checks; rows
// are padded to whole vectors (plus the filter width) so the last vector may read past the end.
struct PaddedImage {
  int rows;
  int stride;
};

PaddedImage paddedLayout(const ConvGeometry& g) {
  const int blocks = (g.outW + kLanes - 1) / kLanes;
  return {g.outH + g.filterH - 1, blocks * kLanes + g.filterW - 1};
}

void padImage(const ConvGeometry& g, const PaddedImage& layout, const float* image, float* padded) {
  std::fill(padded, padded + static_cast<int64_t>(layout.rows) * layout.stride, 0.f);
  for (int py = 0; py < layout.rows; ++py) {
    const int iy = py - g.padTop;
    if (iy < 0 || iy >= g.inH) continue;
    for (int px = 0; px < layout.stride; ++px) {
      const int ix = px - g.padLeft;
      if (ix >= 0 && ix < g.inW) padded[static_cast<int64_t>(py) * layout.stride + px] = image[static_cast<int64_t>(iy) * g.inW + ix];
    }
  }
}

void conv2dForwardSingleChannel(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                                int64_t biasSize, Activation act, float* y) {
  const int oc = g.outC;
  const int ocPadded = (oc + kChannelBlock - 1) / kChannelBlock * kChannelBlock;
  const int taps = g.filterH * g.filterW;
  // Filter with output channels padded to whole blocks (zeros), so tiles need no tail case.
  std::vector<float> wPadded(static_cast<size_t>(taps) * ocPadded, 0.f);
  for (int t = 0; t < taps; ++t) {
    for (int o = 0; o < oc; ++o) wPadded[static_cast<size_t>(t) * ocPadded + o] = w[static_cast<int64_t>(t) * oc + o];
  }
  const PaddedImage layout = paddedLayout(g);
  parallelFor(g.batch, 1, [&](int64_t begin, int64_t end) {
    float* padded = scratch(static_cast<size_t>(layout.rows) * layout.stride).data();
    for (int64_t b = begin; b < end; ++b) {
      padImage(g, layout, x + b * g.inH * g.inW, padded);
      for (int oy = 0; oy < g.outH; ++oy) {
        float* out = y + ((b * g.outH + oy) * g.outW) * oc;
        for (int ox0 = 0; ox0 < g.outW; ox0 += kLanes) {
          const int lanes = std::min(kLanes, g.outW - ox0);
          for (int o0 = 0; o0 < oc; o0 += kChannelBlock) {
            float acc[kChannelBlock][kLanes] = {};
            for (int ky = 0; ky < g.filterH; ++ky) {
              const float* xrow = padded + static_cast<int64_t>(oy + ky) * layout.stride + ox0;
              for (int kx = 0; kx < g.filterW; ++kx) {
                const float* xs = xrow + kx;
                const float* wk = wPadded.data() + static_cast<int64_t>(ky * g.filterW + kx) * ocPadded + o0;
                for (int o = 0; o < kChannelBlock; ++o) {
                  const float wv = wk[o];
#pragma omp simd
                  for (int v = 0; v < kLanes; ++v) acc[o][v] += wv * xs[v];
                }
              }
            }
            const int channels = std::min(kChannelBlock, oc - o0);
            for (int v = 0; v < lanes; ++v) {
              for (int o = 0; o < channels; ++o) out[static_cast<int64_t>(ox0 + v) * oc + o0 + o] = acc[o][v];
            }
          }
        }
        applyBiasActivation(out, g.outW, oc, bias, biasSize, act);
      }
    }
  });
}

void conv2dBackpropFilterSingleChannel(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const int oc = g.outC;
  const int taps = g.filterH * g.filterW;
  const int64_t filterSize = static_cast<int64_t>(taps) * oc;
  const int blocks = (g.outW + kLanes - 1) / kLanes;
  const int dyStride = blocks * kLanes;
  const int ocPadded = (oc + kChannelBlock - 1) / kChannelBlock * kChannelBlock;
  const PaddedImage layout = paddedLayout(g);
  const int slots = static_cast<int>(std::min<int64_t>(kReductionSlots, g.batch));
  // Per-slot sums in double, flushed from per-image float vector accumulators.
  std::vector<double> partial(static_cast<size_t>(slots) * filterSize, 0.0);
  parallelSlots(g.batch, slots, [&](int64_t b, int slot) {
    double* mine = partial.data() + slot * filterSize;
    const size_t paddedSize = static_cast<size_t>(layout.rows) * layout.stride;
    const size_t dySize = static_cast<size_t>(g.outH) * ocPadded * dyStride;
    const size_t accSize = static_cast<size_t>(filterSize) * kLanes;
    float* buffer = scratch(paddedSize + dySize + accSize).data();
    float* padded = buffer;
    float* dyT = buffer + paddedSize;
    float* acc = dyT + dySize;
    padImage(g, layout, x + b * g.inH * g.inW, padded);
    std::fill(acc, acc + accSize, 0.f);
    // The whole image's dy, zero past the row and past the channels.
    std::fill(dyT, dyT + dySize, 0.f);
    transposeRows(g, dy + b * g.outH * g.outW * oc, ocPadded, dyStride, 0, dyT);
    // Per tap and block of output channels, an 8 x 16 accumulator tile stays in registers over
    // the whole image. Each accumulator lane adds its products in the same order as a row-by-row
    // loop would (rows, then column blocks), so the sums do not depend on this blocking.
    for (int ky = 0; ky < g.filterH; ++ky) {
      for (int kx = 0; kx < g.filterW; ++kx) {
        float* a = acc + static_cast<int64_t>(ky * g.filterW + kx) * oc * kLanes;
        for (int o0 = 0; o0 < oc; o0 += kChannelBlock) {
          const int channels = std::min(kChannelBlock, oc - o0);
          float tile[kChannelBlock][kLanes] = {};
          for (int o = 0; o < channels; ++o) {
            for (int v = 0; v < kLanes; ++v) tile[o][v] = a[static_cast<int64_t>(o0 + o) * kLanes + v];
          }
          for (int oy = 0; oy < g.outH; ++oy) {
            const float* xrow = padded + static_cast<int64_t>(oy + ky) * layout.stride + kx;
            const float* rowT = dyT + (static_cast<int64_t>(oy) * ocPadded + o0) * dyStride;
            for (int ox0 = 0; ox0 < dyStride; ox0 += kLanes) {
              const float* xs = xrow + ox0;
              for (int o = 0; o < kChannelBlock; ++o) {
                const float* dt = rowT + static_cast<int64_t>(o) * dyStride + ox0;
#pragma omp simd
                for (int v = 0; v < kLanes; ++v) tile[o][v] += xs[v] * dt[v];
              }
            }
          }
          for (int o = 0; o < channels; ++o) {
            for (int v = 0; v < kLanes; ++v) a[static_cast<int64_t>(o0 + o) * kLanes + v] = tile[o][v];
          }
        }
      }
    }
    for (int64_t i = 0; i < filterSize; ++i) {
      float sum = 0.f;
      for (int v = 0; v < kLanes; ++v) sum += acc[i * kLanes + v];
      mine[i] += sum;
    }
  });
  for (int64_t i = 0; i < filterSize; ++i) {
    double sum = 0.0;
    for (int t = 0; t < slots; ++t) sum += partial[t * filterSize + i];
    dw[i] = static_cast<float>(sum);
  }
}

namespace {
// The scatter form: each dy row adds into the input rows it touches, as the cpu kernel's loops do.
// Kept for filters with a non-finite weight, where the gather form below would turn a skipped
// border term into inf * 0 = NaN.
void backpropInputScatter(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
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

// The gather form: each input row is summed in registers, 16 columns at a time, from the dy rows
// that touch it. For every input element the terms come in the scatter form's order (dy rows
// ascending, then filter columns, then output channels) and a term the scatter form skips (a column
// outside dy) is w * 0 here, which leaves a sum that starts at +0 unchanged; so the results are
// bitwise the scatter form's whenever the weights are finite.
void backpropInputGather(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  const int oc = g.outC;
  const int64_t imageSize = static_cast<int64_t>(g.inH) * g.inW;
  const int blocks = (g.inW + kLanes - 1) / kLanes;
  // dy rows as [row][channel][column], column ox stored at ox + shift with zeros around, so that
  // the column ix + padLeft - kx of every lane of every block can be read.
  const int shift = g.filterW - 1 + g.padLeft;
  const int rowStride = shift + std::max(blocks * kLanes + g.padLeft, g.outW) + 1;
  parallelFor(g.batch, 1, [&](int64_t begin, int64_t end) {
    float* dyT = scratch(static_cast<size_t>(g.outH) * oc * rowStride).data();
    float acc[kLanes];
    for (int64_t b = begin; b < end; ++b) {
      std::fill(dyT, dyT + static_cast<int64_t>(g.outH) * oc * rowStride, 0.f);
      transposeRows(g, dy + b * g.outH * g.outW * oc, oc, rowStride, shift, dyT);
      float* image = dx + b * imageSize;
      for (int iy = 0; iy < g.inH; ++iy) {
        // Output rows oy = iy + padTop - ky, ascending (ky descending).
        const int oyLo = std::max(0, iy + g.padTop - (g.filterH - 1));
        const int oyHi = std::min(g.outH - 1, iy + g.padTop);
        for (int ix0 = 0; ix0 < g.inW; ix0 += kLanes) {
          std::fill(acc, acc + kLanes, 0.f);
          for (int oy = oyLo; oy <= oyHi; ++oy) {
            const int ky = iy + g.padTop - oy;
            for (int kx = 0; kx < g.filterW; ++kx) {
              const float* wk = w + static_cast<int64_t>(ky * g.filterW + kx) * oc;
              // dy column of input column ix: ox = ix + padLeft - kx, stored at ox + shift.
              const int64_t column = static_cast<int64_t>(ix0) + g.padLeft - kx + shift;
              for (int o = 0; o < oc; ++o) {
                const float wv = wk[o];
                const float* dt = dyT + (static_cast<int64_t>(oy) * oc + o) * rowStride + column;
#pragma omp simd
                for (int v = 0; v < kLanes; ++v) acc[v] += wv * dt[v];
              }
            }
          }
          const int lanes = std::min(kLanes, g.inW - ix0);
          float* out = image + static_cast<int64_t>(iy) * g.inW + ix0;
          for (int v = 0; v < lanes; ++v) out[v] = acc[v];
        }
      }
    }
  });
}
}  // namespace

void conv2dBackpropInputSingleChannel(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  const int64_t weights = static_cast<int64_t>(g.filterH) * g.filterW * g.outC;
  if (std::all_of(w, w + weights, [](float v) { return std::isfinite(v); })) {
    backpropInputGather(g, dy, w, dx);
  } else {
    backpropInputScatter(g, dy, w, dx);
  }
}

}  // namespace apb
