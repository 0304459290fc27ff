// Shared declarations of the addon: parameter blocks passed from JavaScript and the kernels.
#pragma once
#include <csignal>
#include <cstdint>
#include <functional>

namespace apb {

// Geometry of one 2-D convolution or pooling window, NHWC, as tfjs's computeConv2DInfo gives it.
// The JavaScript side passes it as an Int32Array in exactly this order.
struct ConvGeometry {
  int batch, inH, inW, inC, outH, outW, outC;
  int strideH, strideW, dilationH, dilationW, filterH, filterW, padTop, padLeft;
};
constexpr int kConvGeometryLength = 15;

enum class Activation : int { kLinear = 0, kRelu = 1 };

// Number of threads every kernel may use (the caller plus the pool's workers).
int threads();
int setThreads(int n);

// Runs fn(chunk, thread) for chunk in [0, chunks) on the pool; thread is in [0, threads()) and
// unique among concurrently running calls, for per-thread scratch. Returns when all are done.
// fn must not throw.
using ChunkFn = std::function<void(int64_t chunk, int thread)>;
void parallelChunks(int64_t chunks, const ChunkFn& fn);

// Partial sums per reduction: a fixed number, independent of the thread count and of which thread
// ran what, so reductions add up in the same order on every run (bitwise-reproducible training).
constexpr int kReductionSlots = 8;

// Runs fn(chunk, slot) for every chunk, where slot = chunk % slots and the chunks of one slot run
// in order on one thread: per-slot partial sums are then deterministic.
void parallelSlots(int64_t chunks, int slots, const std::function<void(int64_t chunk, int slot)>& fn);

// Splits [0, n) into about `threads() * 4` ranges of at least `grain` and runs fn(begin, end) on
// the pool (inline when n is small).
void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t begin, int64_t end)>& fn);

// Holds this thread's asynchronous signals (SIGPROF, SIGINT, SIGCHLD, ...) while alive; they are
// delivered when the outermost one ends. Every call into oneDNN's sgemm runs under one (sgemmStatus
// takes one itself): with oneDNN 2.6's AVX-512 kernels, a signal handled on the thread's own stack
// during the call corrupts memory. Measured on this project's AVX-512 machine: `node --cpu-prof`
// training on 'native' aborted with glibc heap corruption, and so did plain C++ calling dnnl_sgemm
// under a 100 us SIGPROF timer; the same C++ ran clean with DNNL_MAX_CPU_ISA=AVX2 or with the
// handler on an alternate stack. Holding costs a syscall pair (about 2 us here) on the outermost
// one only: the pool's workers hold these signals for good, and kernels that make many sgemm calls
// declare one around them all.
class AsyncSignalsHeld {
 public:
  AsyncSignalsHeld();
  ~AsyncSignalsHeld();
  AsyncSignalsHeld(const AsyncSignalsHeld&) = delete;
  AsyncSignalsHeld& operator=(const AsyncSignalsHeld&) = delete;

 private:
  bool outermost_;
  sigset_t previous_;
};

// Row-major single-precision GEMM through oneDNN; throws std::runtime_error if it fails.
void sgemm(char transA, char transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// Same, but reports failure as a status instead of throwing: for use inside OpenMP regions,
// which must not be left by an exception.
int sgemmStatus(char transA, char transB, int64_t m, int64_t n, int64_t k, float alpha,
                const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                int64_t ldc);

// Adds a per-column (or scalar) bias to a [rows, channels] block and applies the activation.
void applyBiasActivation(float* y, int64_t rows, int64_t channels, const float* bias, int64_t biasSize,
                         Activation act);

void conv2dForward(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                   int64_t biasSize, Activation act, float* y);
void conv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx);
void conv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dw);

// Direct kernels for one input channel at stride 1 without dilation (see conv-single-channel.cc);
// the conv2d* entry points above dispatch to them when singleChannelDirect(g).
bool singleChannelDirect(const ConvGeometry& g);
void conv2dForwardSingleChannel(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                                int64_t biasSize, Activation act, float* y);
void conv2dBackpropInputSingleChannel(const ConvGeometry& g, const float* dy, const float* w, float* dx);
void conv2dBackpropFilterSingleChannel(const ConvGeometry& g, const float* x, const float* dy, float* dw);

void batchMatMul(const float* a, const float* b, float* out, int64_t batchA, int64_t batchB,
                 int64_t m, int64_t n, int64_t k, bool transA, bool transB, const float* bias,
                 int64_t biasSize, Activation act);

// out[1, n] = a[1, k] times b ([k, n], or [n, k] when transB), split over the pool by columns of out.
// out[i n + j] = fma(column[i], row[j], +0): an outer product as oneDNN's sgemm computes one with k = 1
// (checked bitwise here, zero signs, NaN and infinity included) and as tfjs's cpu kernel does
// (0 + a * b in double, rounded once), defined by std::fma alone.
void outerProduct(const float* column, const float* row, float* out, int64_t h, int64_t n);
void rowTimesMatrix(const float* a, const float* b, float* out, int64_t n, int64_t k, bool transB);

void maxPool(const ConvGeometry& g, const float* x, float* y);
void maxPoolGrad(const ConvGeometry& g, const float* dy, const float* x, float* dx);

enum class BinaryOp : int { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kMin = 4, kMax = 5 };

// out = a op b, where a and b each either have n elements or repeat along out's leading
// dimensions (size divides n: a bias, a scalar).
void binaryOp(BinaryOp op, const float* a, int64_t aSize, const float* b, int64_t bSize, float* out, int64_t n);
void reluForward(const float* x, float* y, int64_t n);
// y = x > 0 ? 1 : alpha (NaN stays NaN), tfjs's Step.
void step(const float* x, float* y, int64_t n, float alpha);
// tfjs's Sign (NaN and -0 give 0) and ClipByValue (bounds compared in double, as the cpu kernel's
// JavaScript numbers are; NaN stays NaN): the last steps of FGSM and PGD.
void sign(const float* x, float* y, int64_t n);
void clipByValue(const float* x, float* y, int64_t n, double lo, double hi);
// Sums of a [rows, columns] matrix over its rows (out has columns entries) or over its columns.
void sumLeading(const float* x, float* out, int64_t rows, int64_t columns);
void sumTrailing(const float* x, float* out, int64_t rows, int64_t columns);

// DenseApb's multimodal memory step: next[1, h] from the batch-summed upstream gradient
// gradientSum[n], W_ap[h, n] and the current memories[1, h] (read only when accumulating).
struct MultimodalStepParams {
  float eps;         // eps rounded to float32, as tf.scalar(eps) holds it
  float sign;        // +1 ascent, -1 descent
  bool accumulate;   // m + step, or the step alone ('reset')
  bool budgeted;     // eps_m from the budget, or eps itself ('fixed')
  bool hasClip;
  double clip;       // bound on |m|, compared in double as ClipByValue's attributes are
};
void apbMultimodalStep(const MultimodalStepParams& p, const float* gradientSum, const float* w, const float* memories,
                       float* next, int64_t h, int64_t n);

// tf.train.adam's update of one variable, every float32 operation in the stock order.
struct AdamParams {
  float beta1, beta2, oneMinusBeta1, oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2, epsilon, negativeRate;
};
void adamUpdate(const AdamParams& p, const float* value, const float* m, const float* v, const float* g,
                float* newValue, float* newM, float* newV, int64_t n);

}  // namespace apb
