// 2-D convolution (NHWC input, HWIO filter) as im2col + GEMM. Work is split over chunks of images
// claimed by the pool's threads, each calling a single-threaded oneDNN GEMM on a column buffer
// small enough to stay in cache.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "common.h"

namespace apb {
namespace {

// Column buffers are reused across calls: allocation per call costs more than the small GEMMs.
std::vector<float>& columnBuffer(size_t size) {
  thread_local std::vector<float> buffer;
  if (buffer.size() < size) buffer.resize(size);
  return buffer;
}

int64_t patchSize(const ConvGeometry& g) {
  return static_cast<int64_t>(g.filterH) * g.filterW * g.inC;
}

// Images per chunk: enough rows for an efficient GEMM, few enough that the column buffer
// (rows x patch) stays around 1 MiB.
int imagesPerChunk(const ConvGeometry& g) {
  const int64_t perImage = static_cast<int64_t>(g.outH) * g.outW * patchSize(g);
  const int64_t target = 1 << 18;
  int64_t images = perImage > 0 ? target / perImage : g.batch;
  images = std::max<int64_t>(1, std::min<int64_t>(images, g.batch));
  // At least two chunks per thread, so a thread that starts late still finds work.
  const int64_t perThread = (g.batch + 2 * threads() - 1) / (2 * threads());
  return static_cast<int>(std::max<int64_t>(1, std::min(images, perThread)));
}

// Row copies here are short (filterWidth x channels floats; 5 for LeNet's first layer), where a
// plain loop beats a memcpy call.
inline void copyFloats(float* dst, const float* src, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
}

inline void zeroFloats(float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = 0.f;
}

// Unrolls the receptive fields of images [b0, b1) into rows of `col`, one row per output pixel,
// laid out (filterRow, filterCol, channel) to match the HWIO filter viewed as [patch, outC].
void im2col(const ConvGeometry& g, const float* x, int b0, int b1, float* col) {
  const int64_t k = patchSize(g);
  const int64_t rowSpan = static_cast<int64_t>(g.filterW) * g.inC;
  float* row = col;
  for (int b = b0; b < b1; ++b) {
    const float* image = x + static_cast<int64_t>(b) * g.inH * g.inW * g.inC;
    for (int oy = 0; oy < g.outH; ++oy) {
      for (int ox = 0; ox < g.outW; ++ox, row += k) {
        const int ix0 = ox * g.strideW - g.padLeft;
        const bool rowInside = ix0 >= 0 && ix0 + (g.filterW - 1) * g.dilationW < g.inW;
        for (int ky = 0; ky < g.filterH; ++ky) {
          float* dst = row + ky * rowSpan;
          const int iy = oy * g.strideH - g.padTop + ky * g.dilationH;
          if (iy < 0 || iy >= g.inH) {
            zeroFloats(dst, rowSpan);
            continue;
          }
          const float* src = image + static_cast<int64_t>(iy) * g.inW * g.inC;
          if (rowInside && g.dilationW == 1) {
            copyFloats(dst, src + static_cast<int64_t>(ix0) * g.inC, rowSpan);
            continue;
          }
          for (int kx = 0; kx < g.filterW; ++kx) {
            const int ix = ix0 + kx * g.dilationW;
            if (ix < 0 || ix >= g.inW) {
              zeroFloats(dst + kx * g.inC, g.inC);
            } else {
              copyFloats(dst + kx * g.inC, src + static_cast<int64_t>(ix) * g.inC, g.inC);
            }
          }
        }
      }
    }
  }
}

// Adds the rows of `col` back onto images [b0, b1) of dx (the adjoint of im2col).
void col2imAdd(const ConvGeometry& g, const float* col, int b0, int b1, float* dx) {
  const int64_t k = patchSize(g);
  const float* row = col;
  for (int b = b0; b < b1; ++b) {
    float* image = dx + static_cast<int64_t>(b) * g.inH * g.inW * g.inC;
    for (int oy = 0; oy < g.outH; ++oy) {
      for (int ox = 0; ox < g.outW; ++ox, row += k) {
        const int ix0 = ox * g.strideW - g.padLeft;
        for (int ky = 0; ky < g.filterH; ++ky) {
          const int iy = oy * g.strideH - g.padTop + ky * g.dilationH;
          if (iy < 0 || iy >= g.inH) continue;
          float* dstRow = image + static_cast<int64_t>(iy) * g.inW * g.inC;
          const float* src = row + static_cast<int64_t>(ky) * g.filterW * g.inC;
          if (g.dilationW == 1 && ix0 >= 0 && ix0 + g.filterW <= g.inW) {
            // The whole filter row lands inside the image: one contiguous add.
            float* dst = dstRow + static_cast<int64_t>(ix0) * g.inC;
            const int64_t span = static_cast<int64_t>(g.filterW) * g.inC;
            for (int64_t i = 0; i < span; ++i) dst[i] += src[i];
            continue;
          }
          for (int kx = 0; kx < g.filterW; ++kx) {
            const int ix = ix0 + kx * g.dilationW;
            if (ix < 0 || ix >= g.inW) continue;
            float* dst = dstRow + static_cast<int64_t>(ix) * g.inC;
            const float* s = src + kx * g.inC;
            for (int c = 0; c < g.inC; ++c) dst[c] += s[c];
          }
        }
      }
    }
  }
}

void throwIfFailed(int status, const char* what) {
  if (status != 0) {
    throw std::runtime_error(std::string(what) + ": oneDNN sgemm failed with status " + std::to_string(status));
  }
}

}  // namespace

void conv2dForward(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                   int64_t biasSize, Activation act, float* y) {
  if (singleChannelDirect(g)) {
    conv2dForwardSingleChannel(g, x, w, bias, biasSize, act, y);
    return;
  }
  const AsyncSignalsHeld signalsHeld;
  const int64_t k = patchSize(g);
  const int chunk = imagesPerChunk(g);
  const int chunks = (g.batch + chunk - 1) / chunk;
  const int64_t pixels = static_cast<int64_t>(g.outH) * g.outW;
  std::atomic<int> failure{0};
  parallelChunks(chunks, [&](int64_t c, int) {
    const int b0 = static_cast<int>(c) * chunk;
    const int b1 = std::min(g.batch, b0 + chunk);
    const int64_t rows = (b1 - b0) * pixels;
    float* out = y + b0 * pixels * g.outC;
    float* col = columnBuffer(static_cast<size_t>(rows * k)).data();
    im2col(g, x, b0, b1, col);
    int status = sgemmStatus('N', 'N', rows, g.outC, k, 1.f, col, k, w, g.outC, 0.f, out, g.outC);
    if (status != 0) failure = status;
    applyBiasActivation(out, rows, g.outC, bias, biasSize, act);
  });
  throwIfFailed(failure, "Conv2D");
}

void conv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  if (singleChannelDirect(g)) {
    conv2dBackpropInputSingleChannel(g, dy, w, dx);
    return;
  }
  const AsyncSignalsHeld signalsHeld;
  const int64_t k = patchSize(g);
  const int chunk = imagesPerChunk(g);
  const int chunks = (g.batch + chunk - 1) / chunk;
  const int64_t pixels = static_cast<int64_t>(g.outH) * g.outW;
  const int64_t imageSize = static_cast<int64_t>(g.inH) * g.inW * g.inC;
  std::atomic<int> failure{0};
  parallelChunks(chunks, [&](int64_t c, int) {
    const int b0 = static_cast<int>(c) * chunk;
    const int b1 = std::min(g.batch, b0 + chunk);
    const int64_t rows = (b1 - b0) * pixels;
    float* col = columnBuffer(static_cast<size_t>(rows * k)).data();
    // dcol = dy x W^T, with W viewed as [patch, outC].
    int status = sgemmStatus('N', 'T', rows, k, g.outC, 1.f, dy + b0 * pixels * g.outC, g.outC, w,
                             g.outC, 0.f, col, k);
    if (status != 0) failure = status;
    std::memset(dx + b0 * imageSize, 0, sizeof(float) * (b1 - b0) * imageSize);
    col2imAdd(g, col, b0, b1, dx);
  });
  throwIfFailed(failure, "Conv2DBackpropInput");
}

void conv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  if (g.batch == 0 || g.outH == 0 || g.outW == 0) {
    std::memset(dw, 0, sizeof(float) * patchSize(g) * g.outC);
    return;
  }
  if (singleChannelDirect(g)) {
    conv2dBackpropFilterSingleChannel(g, x, dy, dw);
    return;
  }
  const AsyncSignalsHeld signalsHeld;
  const int64_t k = patchSize(g);
  const int64_t filterSize = k * g.outC;
  const int chunk = imagesPerChunk(g);
  const int chunks = (g.batch + chunk - 1) / chunk;
  const int64_t pixels = static_cast<int64_t>(g.outH) * g.outW;
  const int team = std::min(kReductionSlots, chunks);
  // One partial filter gradient per slot, summed at the end in slot order: no locking in the hot
  // loop, and the same sums on every run.
  std::vector<float> partial(static_cast<size_t>(team * filterSize), 0.f);
  std::atomic<int> failure{0};
  parallelSlots(chunks, team, [&](int64_t c, int slot) {
    float* mine = partial.data() + slot * filterSize;
    const int b0 = static_cast<int>(c) * chunk;
    const int b1 = std::min(g.batch, b0 + chunk);
    const int64_t rows = (b1 - b0) * pixels;
    float* col = columnBuffer(static_cast<size_t>(rows * k)).data();
    im2col(g, x, b0, b1, col);
    int status = sgemmStatus('T', 'N', k, g.outC, rows, 1.f, col, k, dy + b0 * pixels * g.outC,
                             g.outC, 1.f, mine, g.outC);
    if (status != 0) failure = status;
  });
  throwIfFailed(failure, "Conv2DBackpropFilter");
  std::memcpy(dw, partial.data(), sizeof(float) * filterSize);
  for (int t = 1; t < team; ++t) {
    const float* p = partial.data() + t * filterSize;
    for (int64_t i = 0; i < filterSize; ++i) dw[i] += p[i];
  }
}

}  // namespace apb
