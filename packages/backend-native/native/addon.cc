// N-API entry points. Every kernel reads and writes the Float32Arrays that the tfjs cpu backend
// already holds (no copies); JavaScript allocates outputs and checks shapes before calling.
#include <napi.h>

#include <dnnl.h>

#include <malloc.h>

#include <stdexcept>
#include <string>

#include "common.h"

namespace {

using apb::Activation;
using apb::ConvGeometry;

const float* floatsOrNull(const Napi::Value& value, const char* name, int64_t* length = nullptr) {
  if (value.IsNull() || value.IsUndefined()) {
    if (length != nullptr) *length = 0;
    return nullptr;
  }
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(value.Env(), std::string(name) + " must be a Float32Array");
  }
  auto array = value.As<Napi::Float32Array>();
  if (length != nullptr) *length = static_cast<int64_t>(array.ElementLength());
  return array.Data();
}

float* floats(const Napi::Value& value, const char* name, int64_t expected) {
  int64_t length = 0;
  const float* data = floatsOrNull(value, name, &length);
  if (data == nullptr && expected > 0) {
    throw Napi::TypeError::New(value.Env(), std::string(name) + " must be a Float32Array");
  }
  if (length < expected) {
    throw Napi::RangeError::New(value.Env(), std::string(name) + " has " + std::to_string(length) +
                                                 " elements, expected " + std::to_string(expected));
  }
  return const_cast<float*>(data);
}

ConvGeometry geometry(const Napi::Value& value) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      value.As<Napi::Int32Array>().ElementLength() != apb::kConvGeometryLength) {
    throw Napi::TypeError::New(value.Env(), "geometry must be an Int32Array of length 15");
  }
  const int32_t* p = value.As<Napi::Int32Array>().Data();
  ConvGeometry g{p[0], p[1], p[2],  p[3],  p[4],  p[5],  p[6],  p[7],
                 p[8], p[9], p[10], p[11], p[12], p[13], p[14]};
  return g;
}

int64_t inputSize(const ConvGeometry& g) { return static_cast<int64_t>(g.batch) * g.inH * g.inW * g.inC; }
int64_t outputSize(const ConvGeometry& g, int channels) {
  return static_cast<int64_t>(g.batch) * g.outH * g.outW * channels;
}
int64_t filterSize(const ConvGeometry& g) {
  return static_cast<int64_t>(g.filterH) * g.filterW * g.inC * g.outC;
}

Activation activation(const Napi::Value& value) {
  const int code = value.As<Napi::Number>().Int32Value();
  if (code != 0 && code != 1) throw Napi::RangeError::New(value.Env(), "unsupported activation code");
  return static_cast<Activation>(code);
}

// Turns C++ exceptions from the kernels into JavaScript errors with the same message.
template <typename F>
Napi::Value guarded(const Napi::CallbackInfo& info, F body) {
  try {
    body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
  return info.Env().Undefined();
}

// conv2d(x, filter, bias | null, y, geometry, activation)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const ConvGeometry g = geometry(info[4]);
    int64_t biasSize = 0;
    const float* bias = floatsOrNull(info[2], "bias", &biasSize);
    if (bias != nullptr && biasSize != 1 && biasSize != g.outC) {
      throw std::runtime_error("bias must have 1 or outChannels elements");
    }
    apb::conv2dForward(g, floats(info[0], "x", inputSize(g)), floats(info[1], "filter", filterSize(g)), bias,
                       biasSize, activation(info[5]), floats(info[3], "y", outputSize(g, g.outC)));
  });
}

// conv2dBackpropInput(dy, filter, dx, geometry)
Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const ConvGeometry g = geometry(info[3]);
    apb::conv2dBackpropInput(g, floats(info[0], "dy", outputSize(g, g.outC)), floats(info[1], "filter", filterSize(g)),
                             floats(info[2], "dx", inputSize(g)));
  });
}

// conv2dBackpropFilter(x, dy, dw, geometry)
Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const ConvGeometry g = geometry(info[3]);
    apb::conv2dBackpropFilter(g, floats(info[0], "x", inputSize(g)), floats(info[1], "dy", outputSize(g, g.outC)),
                              floats(info[2], "dw", filterSize(g)));
  });
}

// batchMatMul(a, b, out, batchA, batchB, m, n, k, transposeA, transposeB, bias | null, activation)
Napi::Value BatchMatMul(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int64_t batchA = info[3].As<Napi::Number>().Int64Value();
    const int64_t batchB = info[4].As<Napi::Number>().Int64Value();
    const int64_t m = info[5].As<Napi::Number>().Int64Value();
    const int64_t n = info[6].As<Napi::Number>().Int64Value();
    const int64_t k = info[7].As<Napi::Number>().Int64Value();
    if (batchA < 1 || batchB < 1 || m < 0 || n < 0 || k < 0) throw std::runtime_error("invalid matmul dimensions");
    int64_t biasSize = 0;
    const float* bias = floatsOrNull(info[10], "bias", &biasSize);
    if (bias != nullptr && biasSize != 1 && biasSize != n) throw std::runtime_error("bias must have 1 or n elements");
    const int64_t batch = batchA > batchB ? batchA : batchB;
    apb::batchMatMul(floats(info[0], "a", batchA * m * k), floats(info[1], "b", batchB * k * n),
                     floats(info[2], "out", batch * m * n), batchA, batchB, m, n, k, info[8].ToBoolean(),
                     info[9].ToBoolean(), bias, biasSize, activation(info[11]));
  });
}

// maxPool(x, y, geometry)
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const ConvGeometry g = geometry(info[2]);
    apb::maxPool(g, floats(info[0], "x", inputSize(g)), floats(info[1], "y", outputSize(g, g.inC)));
  });
}

// maxPoolGrad(dy, x, dx, geometry)
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const ConvGeometry g = geometry(info[3]);
    apb::maxPoolGrad(g, floats(info[0], "dy", outputSize(g, g.inC)), floats(info[1], "x", inputSize(g)),
                     floats(info[2], "dx", inputSize(g)));
  });
}

// binary(op, a, b, out)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int code = info[0].As<Napi::Number>().Int32Value();
    if (code < 0 || code > 5) throw std::runtime_error("unsupported binary op code");
    int64_t aSize = 0, bSize = 0, n = 0;
    const float* a = floatsOrNull(info[1], "a", &aSize);
    const float* b = floatsOrNull(info[2], "b", &bSize);
    float* out = const_cast<float*>(floatsOrNull(info[3], "out", &n));
    if (a == nullptr || b == nullptr || out == nullptr) throw std::runtime_error("binary op needs three Float32Arrays");
    apb::binaryOp(static_cast<apb::BinaryOp>(code), a, aSize, b, bSize, out, n);
  });
}

// adamUpdate(value, m, v, g, newValue, newM, newV, params: Float32Array [beta1, beta2, 1-beta1,
// 1-beta2, 1-beta1^t, 1-beta2^t, epsilon, -learningRate])
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    int64_t n = 0;
    const float* value = floatsOrNull(info[0], "value", &n);
    if (value == nullptr) throw std::runtime_error("adamUpdate needs a Float32Array value");
    const float* m = floats(info[1], "m", n);
    const float* v = floats(info[2], "v", n);
    const float* g = floats(info[3], "g", n);
    float* newValue = floats(info[4], "newValue", n);
    float* newM = floats(info[5], "newM", n);
    float* newV = floats(info[6], "newV", n);
    const float* q = floats(info[7], "params", 8);
    const apb::AdamParams params{q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7]};
    apb::adamUpdate(params, value, m, v, g, newValue, newM, newV, n);
  });
}

// apbMultimodalStep(gradientSum, apbWeights, memories, next, h, n, eps, sign, accumulate, budgeted, clip | null)
Napi::Value ApbMultimodalStep(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int64_t h = info[4].As<Napi::Number>().Int64Value();
    const int64_t n = info[5].As<Napi::Number>().Int64Value();
    if (h < 1 || n < 1) throw std::runtime_error("apbMultimodalStep needs h >= 1 and n >= 1");
    const bool hasClip = !info[10].IsNull() && !info[10].IsUndefined();
    const apb::MultimodalStepParams params{
        static_cast<float>(info[6].As<Napi::Number>().DoubleValue()),
        static_cast<float>(info[7].As<Napi::Number>().DoubleValue()),
        info[8].ToBoolean(),
        info[9].ToBoolean(),
        hasClip,
        hasClip ? info[10].As<Napi::Number>().DoubleValue() : 0.0,
    };
    apb::apbMultimodalStep(params, floats(info[0], "gradientSum", n), floats(info[1], "apbWeights", h * n),
                           floats(info[2], "memories", h), floats(info[3], "next", h), h, n);
  });
}

// The elementwise entry points f(x, y, ...attributes): y as long as x, written from it. `apply`
// runs inside `guarded`, so it may read the attributes from `info` and throw.
template <typename Apply>
Napi::Value floatUnary(const Napi::CallbackInfo& info, Apply apply) {
  return guarded(info, [&] {
    int64_t n = 0;
    const float* x = floatsOrNull(info[0], "x", &n);
    apply(x, floats(info[1], "y", n), n);
  });
}

// sign(x, y)
Napi::Value Sign(const Napi::CallbackInfo& info) {
  return floatUnary(info, [](const float* x, float* y, int64_t n) { apb::sign(x, y, n); });
}

// clipByValue(x, y, min, max)
Napi::Value ClipByValue(const Napi::CallbackInfo& info) {
  return floatUnary(info, [&info](const float* x, float* y, int64_t n) {
    apb::clipByValue(x, y, n, info[2].As<Napi::Number>().DoubleValue(), info[3].As<Napi::Number>().DoubleValue());
  });
}

// relu(x, y)
Napi::Value Relu(const Napi::CallbackInfo& info) {
  return floatUnary(info, [](const float* x, float* y, int64_t n) { apb::reluForward(x, y, n); });
}

// step(x, y, alpha)
Napi::Value Step(const Napi::CallbackInfo& info) {
  return floatUnary(info, [&info](const float* x, float* y, int64_t n) {
    apb::step(x, y, n, info[2].As<Napi::Number>().FloatValue());
  });
}

// sum(x, out, rows, columns, leading): sums over rows when leading, else over columns.
Napi::Value Sum(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int64_t rows = info[2].As<Napi::Number>().Int64Value();
    const int64_t columns = info[3].As<Napi::Number>().Int64Value();
    const bool leading = info[4].ToBoolean();
    const float* x = floats(info[0], "x", rows * columns);
    float* out = floats(info[1], "out", leading ? columns : rows);
    if (leading) {
      apb::sumLeading(x, out, rows, columns);
    } else {
      apb::sumTrailing(x, out, rows, columns);
    }
  });
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  const int requested = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  return Napi::Number::New(info.Env(), apb::setThreads(requested));
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("threads", apb::threads());
  const dnnl_version_t* v = dnnl_version();
  result.Set("onednn", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
#if defined(__AVX512F__)
  result.Set("isa", "avx512");
#elif defined(__AVX2__)
  result.Set("isa", "avx2");
#else
  result.Set("isa", "baseline");
#endif
  return result;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // Every kernel output is a fresh multi-megabyte Float32Array. glibc serves such sizes with mmap
  // and returns them with munmap, so each one page-faults on first write (measured: 0.65 ms of CPU
  // per 1.7 MB, about a quarter of a LeNet step). Keeping them in the heap makes freed memory
  // reusable without faults; the cost is that the process keeps up to this much memory it freed.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  apb::setThreads(0);
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2dBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2dBackpropFilter));
  exports.Set("batchMatMul", Napi::Function::New(env, BatchMatMul));
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
  exports.Set("apbMultimodalStep", Napi::Function::New(env, ApbMultimodalStep));
  exports.Set("relu", Napi::Function::New(env, Relu));
  exports.Set("sign", Napi::Function::New(env, Sign));
  exports.Set("clipByValue", Napi::Function::New(env, ClipByValue));
  exports.Set("step", Napi::Function::New(env, Step));
  exports.Set("sum", Napi::Function::New(env, Sum));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("info", Napi::Function::New(env, Info));
  return exports;
}

}  // namespace

NODE_API_MODULE(apb_native, Init)
