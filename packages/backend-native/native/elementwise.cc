// Elementwise and reduction kernels that profiling of a LeNet training step put on the critical
// path once convolutions and matmuls were native: under a gradient tape tfjs does not fuse, so
// every layer runs a bias Add, a Relu, and in the backward pass Step, Multiply and a bias Sum.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "common.h"

namespace apb {

namespace {
// Elements per chunk: below this, handing work to another thread costs more than it saves.
constexpr int64_t kGrain = 1 << 15;

// The loops below are functions of plain arguments: written inline in a lambda that captures by
// reference, such loops can compile to scalar code, because the compiler cannot rule out that the
// output aliases the captured pointers (Step's loop compiled to a branch per element that way:
// 1.3 ms instead of 0.05 on a LeNet activation with random signs).
void stepRange(const float* x, float* y, int64_t begin, int64_t end, float alpha) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    const float v = x[i];
    y[i] = v > 0.f ? 1.f : (v != v ? v : alpha);
  }
}

template <typename Op>
void sameShapeRange(const float* a, const float* b, float* out, int64_t begin, int64_t end, Op op) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) out[i] = op(a[i], b[i]);
}

template <typename Op>
void scalarRightRange(const float* a, float b, float* out, int64_t begin, int64_t end, Op op) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) out[i] = op(a[i], b);
}

template <typename Op>
void scalarLeftRange(float a, const float* b, float* out, int64_t begin, int64_t end, Op op) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) out[i] = op(a, b[i]);
}

// Compared in double, as the cpu kernel's JavaScript compares, so a bound that float32 cannot
// represent cuts where it does there; the bound written is float32's rounding of it.
void clipRange(const float* x, float* y, int64_t begin, int64_t end, double lo, double hi) {
  const float loF = static_cast<float>(lo);
  const float hiF = static_cast<float>(hi);
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    const double v = x[i];
    y[i] = v > hi ? hiF : (v < lo ? loF : x[i]);
  }
}

template <typename Op>
void binaryLoop(const float* a, int64_t aSize, const float* b, int64_t bSize, float* out, int64_t n, Op op) {
  if (aSize == n && bSize == n) {
    parallelFor(n, kGrain, [&](int64_t begin, int64_t end) { sameShapeRange(a, b, out, begin, end, op); });
  } else if (aSize == n && bSize == 1) {
    // A scalar operand: one flat loop (as a bias of size 1 it would be a loop per element).
    const float scalar = b[0];
    parallelFor(n, kGrain, [&](int64_t begin, int64_t end) { scalarRightRange(a, scalar, out, begin, end, op); });
  } else if (bSize == n && aSize == 1) {
    const float scalar = a[0];
    parallelFor(n, kGrain, [&](int64_t begin, int64_t end) { scalarLeftRange(scalar, b, out, begin, end, op); });
  } else if (aSize == n) {
    // b repeats along the leading dimensions (a bias).
    parallelFor(n / bSize, std::max<int64_t>(1, kGrain / bSize), [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) sameShapeRange(a + r * bSize, b, out + r * bSize, 0, bSize, op);
    });
  } else {
    parallelFor(n / aSize, std::max<int64_t>(1, kGrain / aSize), [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) sameShapeRange(a, b + r * aSize, out + r * aSize, 0, aSize, op);
    });
  }
}

// JavaScript's Math.min and Math.max, which the cpu kernels use: NaN if either operand is NaN,
// and min(0, -0) = -0, max(0, -0) = 0.
inline float jsMin(float x, float y) {
  const float smaller = x < y ? x : y;
  const float tie = std::signbit(x) ? x : y;
  const float value = x == y ? tie : smaller;
  return (x != x || y != y) ? std::numeric_limits<float>::quiet_NaN() : value;
}

inline float jsMax(float x, float y) {
  const float larger = x > y ? x : y;
  const float tie = std::signbit(x) ? y : x;
  const float value = x == y ? tie : larger;
  return (x != x || y != y) ? std::numeric_limits<float>::quiet_NaN() : value;
}
}  // namespace

void applyBiasActivation(float* y, int64_t rows, int64_t channels, const float* bias, int64_t biasSize,
                         Activation act) {
  for (int64_t r = 0; r < rows; ++r) {
    float* out = y + r * channels;
    if (bias != nullptr) {
      if (biasSize == 1) {
        const float b = bias[0];
        for (int64_t c = 0; c < channels; ++c) out[c] += b;
      } else {
        for (int64_t c = 0; c < channels; ++c) out[c] += bias[c];
      }
    }
    if (act == Activation::kRelu) {
      for (int64_t c = 0; c < channels; ++c) out[c] = out[c] > 0.f ? out[c] : (out[c] == out[c] ? 0.f : out[c]);
    }
  }
}


void binaryOp(BinaryOp op, const float* a, int64_t aSize, const float* b, int64_t bSize, float* out, int64_t n) {
  if (n == 0) return;
  if ((aSize != n && bSize != n) || aSize == 0 || bSize == 0 || n % aSize != 0 || n % bSize != 0) {
    throw std::runtime_error("binaryOp: operands must match the output or repeat along its leading dimensions");
  }
  switch (op) {
    case BinaryOp::kAdd: binaryLoop(a, aSize, b, bSize, out, n, [](float x, float y) { return x + y; }); break;
    case BinaryOp::kSub: binaryLoop(a, aSize, b, bSize, out, n, [](float x, float y) { return x - y; }); break;
    case BinaryOp::kMul: binaryLoop(a, aSize, b, bSize, out, n, [](float x, float y) { return x * y; }); break;
    case BinaryOp::kDiv: binaryLoop(a, aSize, b, bSize, out, n, [](float x, float y) { return x / y; }); break;
    case BinaryOp::kMin: binaryLoop(a, aSize, b, bSize, out, n, [](float x, float y) { return jsMin(x, y); }); break;
    case BinaryOp::kMax: binaryLoop(a, aSize, b, bSize, out, n, [](float x, float y) { return jsMax(x, y); }); break;
  }
}

void reluForward(const float* x, float* y, int64_t n) {
  parallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t i = begin; i < end; ++i) {
      const float v = x[i];
      // Math.max(0, v) in the cpu kernel: NaN stays NaN, -0 becomes +0.
      y[i] = v > 0.f ? v : (v != v ? v : 0.f);
    }
  });
}

void step(const float* x, float* y, int64_t n, float alpha) {
  parallelFor(n, kGrain, [&](int64_t begin, int64_t end) { stepRange(x, y, begin, end, alpha); });
}

void sign(const float* x, float* y, int64_t n) {
  parallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t i = begin; i < end; ++i) y[i] = x[i] < 0.f ? -1.f : (x[i] > 0.f ? 1.f : 0.f);
  });
}

void clipByValue(const float* x, float* y, int64_t n, double lo, double hi) {
  parallelFor(n, kGrain, [&](int64_t begin, int64_t end) { clipRange(x, y, begin, end, lo, hi); });
}

namespace {
// Adds rows [begin, end) of x into acc, row by row. With the column count a compile-time constant
// (Columns > 0) the accumulators stay in registers; the order of additions is the same either way.
template <int Columns>
void addRows(const float* x, double* acc, int64_t begin, int64_t end, int64_t columns) {
  if constexpr (Columns > 0) {
    double local[Columns];
    for (int c = 0; c < Columns; ++c) local[c] = acc[c];
    for (int64_t r = begin; r < end; ++r) {
      const float* row = x + r * Columns;
      for (int c = 0; c < Columns; ++c) local[c] += row[c];
    }
    for (int c = 0; c < Columns; ++c) acc[c] = local[c];
  } else {
    for (int64_t r = begin; r < end; ++r) {
      const float* row = x + r * columns;
      for (int64_t c = 0; c < columns; ++c) acc[c] += row[c];
    }
  }
}

using AddRows = void (*)(const float*, double*, int64_t, int64_t, int64_t);

// The channel counts of LeNet-sized layers (bias gradients of 6 and 16 channels) get a loop of their own.
AddRows addRowsFor(int64_t columns) {
  switch (columns) {
    case 1: return addRows<1>;
    case 2: return addRows<2>;
    case 3: return addRows<3>;
    case 4: return addRows<4>;
    case 6: return addRows<6>;
    case 8: return addRows<8>;
    case 10: return addRows<10>;
    case 16: return addRows<16>;
    default: return addRows<0>;
  }
}
}  // namespace

void sumLeading(const float* x, float* out, int64_t rows, int64_t columns) {
  const int64_t rowsPerChunk = std::max<int64_t>(1, kGrain / std::max<int64_t>(1, columns));
  const int64_t chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
  const int team = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(kReductionSlots, chunks)));
  // Summed in double, like the cpu kernel's JavaScript numbers, then rounded once; per-slot
  // partials keep the order of additions the same on every run.
  std::vector<double> partial(static_cast<size_t>(team * columns), 0.0);
  const AddRows add = addRowsFor(columns);
  parallelSlots(chunks, team, [&](int64_t chunk, int slot) {
    const int64_t end = std::min(rows, (chunk + 1) * rowsPerChunk);
    add(x, partial.data() + slot * columns, chunk * rowsPerChunk, end, columns);
  });
  for (int64_t c = 0; c < columns; ++c) {
    double sum = 0.0;
    for (int t = 0; t < team; ++t) sum += partial[t * columns + c];
    out[c] = static_cast<float>(sum);
  }
}

void sumTrailing(const float* x, float* out, int64_t rows, int64_t columns) {
  parallelFor(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, columns)), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* row = x + r * columns;
      double sum = 0.0;
      for (int64_t c = 0; c < columns; ++c) sum += row[c];
      out[r] = static_cast<float>(sum);
    }
  });
}

}  // namespace apb
