#include "warp.h"

#include <algorithm>
#include <cmath>
#include <limits>

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

}  // namespace

void warp_to_tensor(const uint8_t* rgb, uint32_t width_in, uint32_t height_in, const Affine& t, uint32_t size_in,
                    uint32_t rows_in, double gain, double offset, float* out) {
  const int64_t width = width_in, height = height_in, size = size_in, rows = rows_in;
  if (unit_shift(t)) {
    copy_shifted(rgb, width, height, static_cast<int64_t>(t.cx), static_cast<int64_t>(t.cy), size, rows, gain, offset,
                 out);
    return;
  }
  const int64_t plane = size * rows;
  const int64_t stride = width * 3;
  const double w = static_cast<double>(width), h = static_cast<double>(height);
  for (int64_t v = 0; v < rows; ++v) {
    const double row_x = t.bx * (static_cast<double>(v) + 0.5) + t.cx - 0.5;
    const double row_y = t.by * (static_cast<double>(v) + 0.5) + t.cy - 0.5;
    for (int64_t u = 0; u < size; ++u) {
      const double sx = t.ax * (static_cast<double>(u) + 0.5) + row_x;
      const double sy = t.ay * (static_cast<double>(u) + 0.5) + row_y;
      const int64_t o = v * size + u;
      // floor(s) < -1 exactly when s < -1, and floor(s) >= w (a whole number) when s >= w: tested
      // on the doubles, so a far-off position never reaches the integer conversion.
      if (sx < -1 || sy < -1 || sx >= w || sy >= h) {
        out[o] = static_cast<float>(offset);
        out[plane + o] = static_cast<float>(offset);
        out[2 * plane + o] = static_cast<float>(offset);
        continue;
      }
      if (std::isnan(sx) || std::isnan(sy)) {
        // A map gone NaN (it fails every comparison above): the JavaScript this replaces wrote NaN.
        const float nan = std::numeric_limits<float>::quiet_NaN();
        out[o] = nan;
        out[plane + o] = nan;
        out[2 * plane + o] = nan;
        continue;
      }
      const int64_t x0 = floor_small(sx), y0 = floor_small(sy);
      const double fx = sx - static_cast<double>(x0);
      const double fy = sy - static_cast<double>(y0);
      const double w00 = (1 - fx) * (1 - fy);
      const double w10 = fx * (1 - fy);
      const double w01 = (1 - fx) * fy;
      const double w11 = fx * fy;
      double r, g, b;
      if (x0 >= 0 && y0 >= 0 && x0 < width - 1 && y0 < height - 1) {
        const uint8_t* p = rgb + y0 * stride + x0 * 3;
        const uint8_t* q = p + stride;
        r = p[0] * w00 + p[3] * w10 + q[0] * w01 + q[3] * w11;
        g = p[1] * w00 + p[4] * w10 + q[1] * w01 + q[4] * w11;
        b = p[2] * w00 + p[5] * w10 + q[2] * w01 + q[5] * w11;
      } else {
        // An edge pixel: taps outside the image count as black.
        r = 0;
        g = 0;
        b = 0;
        const double weights[4] = {w00, w10, w01, w11};
        for (int k = 0; k < 4; ++k) {
          const int64_t xx = x0 + (k & 1);
          const int64_t yy = y0 + (k >> 1);
          if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
          const uint8_t* p = rgb + yy * stride + xx * 3;
          r += p[0] * weights[k];
          g += p[1] * weights[k];
          b += p[2] * weights[k];
        }
      }
      out[o] = static_cast<float>(r * gain + offset);
      out[plane + o] = static_cast<float>(g * gain + offset);
      out[2 * plane + o] = static_cast<float>(b * gain + offset);
    }
  }
}

}  // namespace iad
