#include "scene.h"

#include <cmath>
#include <limits>
#include <vector>

namespace iad {
namespace {

constexpr int64_t kCell = 8;      // cell side, pixels of the decoded frame
constexpr int64_t kMaxShift = 2;  // alignment tried, pixels each way

}  // namespace

void scene_table(const uint8_t* rgb, uint32_t width_in, uint32_t height_in, double* table) {
  const int64_t width = width_in, height = height_in, stride = width + 1;
  for (int64_t x = 0; x < stride; ++x) table[x] = 0;
  for (int64_t y = 0; y < height; ++y) {
    double row = 0;
    const uint8_t* p = rgb + y * width * 3;
    double* dst = table + (y + 1) * stride;
    const double* above = dst - stride;
    dst[0] = 0;
    for (int64_t x = 0; x < width; ++x, p += 3) {
      row += p[0] + p[1] + p[2];
      dst[x + 1] = above[x + 1] + row;
    }
  }
}

SceneComparison compare_scenes(const double* best, const double* other, uint32_t width_in, uint32_t height_in) {
  const int64_t width = width_in, height = height_in, stride = width + 1;
  // Cells wholly inside the image at every shift tried: the table index of each one's top-left corner.
  std::vector<int64_t> corners;
  for (int64_t y = kMaxShift; y + kCell + kMaxShift <= height; y += kCell)
    for (int64_t x = kMaxShift; x + kCell + kMaxShift <= width; x += kCell) corners.push_back(y * stride + x);
  const size_t n = corners.size();
  if (n < 2) return SceneComparison{};
  const double norm = 1.0 / static_cast<double>(3 * kCell * kCell);
  const int64_t down = kCell * stride;
  auto cell_mean = [&](const double* t, int64_t c) { return (t[c + down + kCell] - t[c + kCell] - t[c + down] + t[c]) * norm; };
  std::vector<double> reference(n), moved(n);
  for (size_t i = 0; i < n; ++i) reference[i] = cell_mean(best, corners[i]);
  const double cells = static_cast<double>(n);
  SceneComparison found;
  double found_squares = std::numeric_limits<double>::infinity();
  found.max_residual = std::numeric_limits<double>::infinity();
  for (int64_t dy = -kMaxShift; dy <= kMaxShift; ++dy) {
    for (int64_t dx = -kMaxShift; dx <= kMaxShift; ++dx) {
      const int64_t shift = dy * stride + dx;
      double sx = 0, sy = 0, sxx = 0, sxy = 0;
      for (size_t i = 0; i < n; ++i) {
        const double m = cell_mean(other, corners[i] + shift);
        moved[i] = m;
        const double r = reference[i];
        sx += r;
        sy += m;
        sxx += r * r;
        sxy += r * m;
      }
      // Least-squares gain and offset (exposure): other ~ gain * best + offset.
      const double variance = cells * sxx - sx * sx;
      const double gain = variance > 1e-9 ? (cells * sxy - sx * sy) / variance : 1;
      const double offset = (sy - gain * sx) / cells;
      double squares = 0, max = 0;
      for (size_t i = 0; i < n; ++i) {
        const double residual = std::fabs(moved[i] - (gain * reference[i] + offset));
        squares += residual * residual;
        if (residual > max) max = residual;
      }
      if (squares < found_squares) {
        found_squares = squares;
        found = SceneComparison{static_cast<int>(dx), static_cast<int>(dy), max};
      }
    }
  }
  return found;
}

}  // namespace iad
