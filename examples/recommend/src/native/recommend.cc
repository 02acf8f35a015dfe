// Top-k cosine similarity over an embedding matrix: the native twin of
// src/top-k.ts, called by the Courier worker pool as topK(input, shared).
//
//   input  = { query: Float32Array(dims), k: number }
//   shared = { matrix: Float32Array(rows * dims), invNorms: Float32Array(rows), rows, dims }
//   result = { ids: number[], scores: number[] }, best first (ties: lower id first)
//
// The matrix lives in a SharedArrayBuffer that every worker reads in place;
// nothing is copied per call. Speed comes from portable code the compiler can
// vectorise at -O3 on any x86-64 or arm64 (no -march=native): the dot product
// keeps 8 independent partial sums, so it needs no floating-point
// reassociation to use SIMD lanes, and the top k are kept in a k-sized
// min-heap (O(rows log k)) instead of sorting every score. On x86-64 Linux
// the scan is also compiled for AVX2+FMA and picked at load time by the CPU
// it runs on (target_clones), which stays portable where -march=native is not.

#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

constexpr size_t kLanes = 8;

struct Hit {
  float score;
  uint32_t id;
};

// Heap order: the *worst* hit kept so far sits at the front, so a better
// candidate replaces it in O(log k).
inline bool Better(const Hit& a, const Hit& b) {
  return a.score > b.score || (a.score == b.score && a.id < b.id);
}

#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__)
#define RECOMMEND_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define RECOMMEND_CLONES
#endif

inline float Dot(const float* __restrict a, const float* __restrict b, size_t n) {
  float acc[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t j = 0; j < kLanes; j++) acc[j] += a[i + j] * b[i + j];
  }
  float sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; i++) sum += a[i] * b[i];
  return sum;
}

// One pass over the matrix: the k best rows, best first.
RECOMMEND_CLONES
std::vector<Hit> Scan(const float* m, const float* inv, const float* q, size_t rows, size_t dims, size_t k) {
  const float q_norm = std::sqrt(Dot(q, q, dims));
  const float q_inv = q_norm > 0 ? 1.0f / q_norm : 0.0f;
  std::vector<Hit> heap;
  heap.reserve(k);
  for (size_t r = 0; r < rows; r++) {
    Hit hit{Dot(m + r * dims, q, dims) * inv[r] * q_inv, static_cast<uint32_t>(r)};
    if (heap.size() < k) {
      heap.push_back(hit);
      std::push_heap(heap.begin(), heap.end(), Better);
    } else if (Better(hit, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), Better);
      heap.back() = hit;
      std::push_heap(heap.begin(), heap.end(), Better);
    }
  }
  std::sort_heap(heap.begin(), heap.end(), Better);
  return heap;
}

Napi::TypedArrayOf<float> FloatArray(const Napi::Env& env, const Napi::Object& from, const char* name) {
  Napi::Value value = from.Get(name);
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(env, std::string(name) + " must be a Float32Array");
  }
  return value.As<Napi::TypedArrayOf<float>>();
}

Napi::Value TopK(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsObject()) {
    throw Napi::TypeError::New(env, "topK(input, shared) needs two objects");
  }
  Napi::Object input = info[0].As<Napi::Object>();
  Napi::Object shared = info[1].As<Napi::Object>();
  Napi::TypedArrayOf<float> query = FloatArray(env, input, "query");
  Napi::TypedArrayOf<float> matrix = FloatArray(env, shared, "matrix");
  Napi::TypedArrayOf<float> inv_norms = FloatArray(env, shared, "invNorms");
  const size_t rows = inv_norms.ElementLength();
  const size_t dims = query.ElementLength();
  if (dims == 0 || matrix.ElementLength() != rows * dims) {
    throw Napi::RangeError::New(env, "query length does not match the matrix's dimensions");
  }
  const double k_arg = input.Get("k").ToNumber().DoubleValue();
  if (!(k_arg >= 1)) throw Napi::RangeError::New(env, "k must be at least 1");
  const size_t k = std::min(rows, static_cast<size_t>(k_arg));

  std::vector<Hit> heap = Scan(matrix.Data(), inv_norms.Data(), query.Data(), rows, dims, k);

  Napi::Array ids = Napi::Array::New(env, heap.size());
  Napi::Array scores = Napi::Array::New(env, heap.size());
  for (uint32_t i = 0; i < heap.size(); i++) {
    ids.Set(i, Napi::Number::New(env, heap[i].id));
    scores.Set(i, Napi::Number::New(env, heap[i].score));
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("ids", ids);
  result.Set("scores", scores);
  return result;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("topK", Napi::Function::New(env, TopK, "topK"));
  return exports;
}

}  // namespace

NODE_API_MODULE(recommend, Init)
