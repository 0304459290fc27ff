// The addon's own thread pool. OpenMP was tried first: its parallel regions end in a barrier
// that waits for every team thread, so on a shared, oversubscribed machine one descheduled worker
// stalls each kernel for a scheduler time slice (2 threads ran 4x slower than 1). Here the caller
// splits work into chunks that any thread claims from a shared counter; the caller works too and
// waits only for chunks already claimed, never for a worker that has not woken up.
#include <omp.h>
#include <pthread.h>

#include <csignal>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <dnnl.h>

#include "common.h"

namespace apb {

namespace {

// How many AsyncSignalsHeld this thread is inside (a pool worker: always at least one).
thread_local int tSignalsHeld = 0;

// Every signal a thread may hold: all but those a fault raises on the faulting thread itself.
sigset_t asyncSignals() {
  sigset_t set;
  sigfillset(&set);
  for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS}) sigdelset(&set, fault);
  return set;
}

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// True on pool workers and on a caller while it runs a job: a nested parallel call then runs
// inline instead of waiting on the pool it is part of.
thread_local bool tInsidePool = false;

class Pool {
 public:
  ~Pool() { resize(1); }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int threads) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& worker : workers_) worker.join();
    workers_.clear();
    stopping_ = false;
    for (int id = 1; id < threads; ++id) workers_.emplace_back([this, id] { workerLoop(id); });
  }

  void run(int64_t chunks, const ChunkFn& fn) {
    if (chunks <= 0) return;
    if (chunks == 1 || workers_.empty() || tInsidePool) {
      for (int64_t c = 0; c < chunks; ++c) fn(c, 0);
      return;
    }
    std::lock_guard<std::mutex> serial(callerMutex_);
    tInsidePool = true;
    uint64_t generation;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &fn;
      chunks_ = chunks;
      completed_.store(0, std::memory_order_relaxed);
      generation = ++generation_;
      state_.store(generation << 32, std::memory_order_release);
      published_.store(generation, std::memory_order_release);
    }
    wake_.notify_all();
    work(generation, 0, &fn, chunks);
    while (completed_.load(std::memory_order_acquire) < chunks) std::this_thread::yield();
    tInsidePool = false;
  }

 private:
  // Claims and runs chunks of job `generation` until none are left. The claim counter carries the
  // generation in its high bits, so a worker that wakes late cannot claim a chunk of a later job
  // with the function pointer of an earlier one.
  void work(uint64_t generation, int thread, const ChunkFn* job, int64_t chunks) {
    uint64_t state = state_.load(std::memory_order_acquire);
    while ((state >> 32) == generation && static_cast<int64_t>(state & 0xffffffffu) < chunks) {
      if (state_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel)) {
        (*job)(static_cast<int64_t>(state & 0xffffffffu), thread);
        completed_.fetch_add(1, std::memory_order_acq_rel);
        state = state_.load(std::memory_order_acquire);
      }
    }
  }

  void workerLoop(int id) {
    // OpenMP settings are per thread: without this, oneDNN would start an OpenMP team of its own
    // inside every GEMM this worker runs, oversubscribing the cores.
    omp_set_num_threads(1);
    // Workers run oneDNN's sgemm all the time; see AsyncSignalsHeld. The process's signals go to
    // the main thread instead, and their sgemm calls need no syscalls.
    const sigset_t held = asyncSignals();
    pthread_sigmask(SIG_BLOCK, &held, nullptr);
    tSignalsHeld = 1;
    tInsidePool = true;
    uint64_t seen = 0;
    for (;;) {
      // Kernels of a training step come a few microseconds apart: spin briefly before sleeping,
      // since a futex wake-up costs more than most chunks take.
      const auto spinUntil = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
      while (published_.load(std::memory_order_acquire) == seen && std::chrono::steady_clock::now() < spinUntil) {
        cpuRelax();
      }
      uint64_t generation;
      const ChunkFn* job;
      int64_t chunks;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        generation = seen = generation_;
        job = job_;
        chunks = chunks_;
      }
      work(generation, id, job, chunks);
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::mutex callerMutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  uint64_t generation_ = 0;
  const ChunkFn* job_ = nullptr;
  int64_t chunks_ = 0;
  std::atomic<uint64_t> state_{0};
  std::atomic<uint64_t> published_{0};
  std::atomic<int64_t> completed_{0};
};

Pool& pool() {
  static Pool instance;
  return instance;
}

}  // namespace

AsyncSignalsHeld::AsyncSignalsHeld() : outermost_(tSignalsHeld++ == 0) {
  if (!outermost_) return;
  const sigset_t held = asyncSignals();
  pthread_sigmask(SIG_BLOCK, &held, &previous_);
}

AsyncSignalsHeld::~AsyncSignalsHeld() {
  --tSignalsHeld;
  if (outermost_) pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

int threads() { return pool().size(); }

int setThreads(int n) {
  if (n < 1) n = static_cast<int>(std::thread::hardware_concurrency());
  if (n < 1) n = 1;
  // oneDNN's GEMMs run inside our chunks; its own OpenMP threading would oversubscribe.
  omp_set_num_threads(1);
  if (n != pool().size()) pool().resize(n);
  return pool().size();
}

void parallelChunks(int64_t chunks, const ChunkFn& fn) { pool().run(chunks, fn); }

void parallelSlots(int64_t chunks, int slots, const std::function<void(int64_t chunk, int slot)>& fn) {
  if (chunks <= 0) return;
  const int64_t used = std::min<int64_t>(slots, chunks);
  parallelChunks(used, [&](int64_t slot, int) {
    for (int64_t c = slot; c < chunks; c += used) fn(c, static_cast<int>(slot));
  });
}

void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t begin, int64_t end)>& fn) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  int64_t chunks = std::min<int64_t>(static_cast<int64_t>(threads()) * 4, (n + grain - 1) / grain);
  if (chunks <= 1) {
    fn(0, n);
    return;
  }
  const int64_t step = (n + chunks - 1) / chunks;
  chunks = (n + step - 1) / step;
  parallelChunks(chunks, [&](int64_t c, int) { fn(c * step, std::min(n, (c + 1) * step)); });
}

int sgemmStatus(char transA, char transB, int64_t m, int64_t n, int64_t k, float alpha,
                const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                int64_t ldc) {
  if (m == 0 || n == 0) return 0;
  const AsyncSignalsHeld signalsHeld;  // free inside a kernel's or a worker's hold
  return static_cast<int>(dnnl_sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc));
}

void sgemm(char transA, char transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  const int status = sgemmStatus(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  if (status != 0) {
    throw std::runtime_error("oneDNN sgemm failed with status " + std::to_string(status));
  }
}

}  // namespace apb
