#include "warp.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace iad {
namespace {

// Output (u, v) = image (u + dx, v + dy): the unit-scale case, where the bilinear weights are 1 and 0.
void copy_shifted(const uint8_t* rgb, int64_t width, int64_t height, int64_t dx, int64_t dy, int64_t size,
                  int64_t rows, double gain, double offset, float* out) {
  const int64_t plane = size * rows;
  std::fill(out, out + plane * 3, static_cast<float>(offset));
  const int64_t u0 = std::max<int64_t>(0, -dx);
  const int64_t u1 = std::min<int64_t>(size, width - dx);
  const int64_t v0 = std::max<int64_t>(0, -dy);
  const int64_t v1 = std::min<int64_t>(rows, height - dy);
  for (int64_t v = v0; v < v1; ++v) {
    const uint8_t* px = rgb + ((v + dy) * width + u0 + dx) * 3;
    for (int64_t o = v * size + u0, end = v * size + u1; o < end; ++o, px += 3) {
      out[o] = static_cast<float>(px[0] * gain + offset);
      out[plane + o] = static_cast<float>(px[1] * gain + offset);
      out[2 * plane + o] = static_cast<float>(px[2] * gain + offset);
    }
  }
}

// floor() of a value in [-1, 16384]: truncation, one down for negative fractions. std::floor is a
// libm call on baseline x86-64 (no SSE4.1), two per pixel.
inline int64_t floor_small(double s) {
  const int64_t t = static_cast<int64_t>(s);
  return static_cast<double>(t) > s ? t - 1 : t;
}

// A whole-pixel shift small enough to index with.
bool unit_shift(const Affine& t) {
  return t.ax == 1 && t.bx == 0 && t.ay == 0 && t.by == 1 && std::floor(t.cx) == t.cx && std::floor(t.cy) == t.cy &&
         std::fabs(t.cx) < 1e9 && std::fabs(t.cy) < 1e9;
}

// Four lanes of doubles: a pixel's R, G, B (and one unused lane). The same IEEE operations per
// lane as the scalar code, in the same order, so the values are the same bit for bit; with AVX2 one
// instruction does all three channels.
// (GCC notes that such vectors change the calling convention without AVX: they never cross a call.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
typedef double Lanes __attribute__((vector_size(32)));

namespace baseline {
inline Lanes pixel(const uint8_t* p) { return Lanes{double(p[0]), double(p[1]), double(p[2]), 0.0}; }
#include "warp_rows.inc"
}  // namespace baseline

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define IAD_WARP_AVX2 1
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#endif
namespace avx2 {
// The pixel at `p` and the byte after it (read, never used): the caller keeps that byte inside
// the image. Widened to 32-bit integers and converted, one instruction each.
inline Lanes pixel(const uint8_t* p) {
  uint32_t bytes;
  std::memcpy(&bytes, p, sizeof bytes);
  return reinterpret_cast<Lanes>(_mm256_cvtepi32_pd(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(static_cast<int>(bytes)))));
}
#include "warp_rows.inc"
}  // namespace avx2
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

using GeneralWarp = void (*)(const uint8_t*, int64_t, int64_t, const Affine&, int64_t, int64_t, double, double, float*);

void warp_with(GeneralWarp general, const uint8_t* rgb, uint32_t width_in, uint32_t height_in, const Affine& t,
               uint32_t size_in, uint32_t rows_in, double gain, double offset, float* out) {
  const int64_t width = width_in, height = height_in, size = size_in, rows = rows_in;
  if (unit_shift(t)) {
    copy_shifted(rgb, width, height, static_cast<int64_t>(t.cx), static_cast<int64_t>(t.cy), size, rows, gain, offset,
                 out);
    return;
  }
  general(rgb, width, height, t, size, rows, gain, offset, out);
}

}  // namespace

void warp_to_tensor(const uint8_t* rgb, uint32_t width, uint32_t height, const Affine& t, uint32_t size, uint32_t rows,
                    double gain, double offset, float* out) {
#ifdef IAD_WARP_AVX2
  if (__builtin_cpu_supports("avx2")) return warp_with(avx2::warp_general, rgb, width, height, t, size, rows, gain, offset, out);
#endif
  warp_with(baseline::warp_general, rgb, width, height, t, size, rows, gain, offset, out);
}

void warp_to_tensor_baseline(const uint8_t* rgb, uint32_t width, uint32_t height, const Affine& t, uint32_t size,
                             uint32_t rows, double gain, double offset, float* out) {
  warp_with(baseline::warp_general, rgb, width, height, t, size, rows, gain, offset, out);
}

}  // namespace iad
