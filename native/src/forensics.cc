#include "forensics.h"

#include <cmath>
#include <cstddef>
#include <cstdlib>

namespace iad {

namespace {

constexpr double kImmerkaer = 1.2533141373155003 / 6.0;  // sqrt(pi / 2) / 6

bool is_sof(uint8_t m) { return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC; }

bool parse_dqt(Span segment, JpegHeader& out) {
  Reader r(segment);
  while (!r.done()) {
    uint8_t pq_tq = 0;
    if (!r.u8(pq_tq)) return false;
    QuantTable table;
    table.precision = pq_tq >> 4;
    table.id = pq_tq & 15;
    if (table.precision > 1 || table.id > 3) return false;
    for (int i = 0; i < 64; ++i) {
      if (table.precision == 0) {
        uint8_t v = 0;
        if (!r.u8(v)) return false;
        table.values[i] = v;
      } else if (!r.u16(table.values[i])) {
        return false;
      }
    }
    if (out.tables.size() >= kMaxQuantTables) return false;
    out.tables.push_back(table);
  }
  return true;
}

bool parse_sof(Span segment, JpegHeader& out) {
  Reader r(segment);
  uint8_t precision = 0;
  if (!r.u8(precision) || !r.u16(out.height) || !r.u16(out.width) || !r.u8(out.components)) return false;
  return out.width > 0 && out.height > 0 && out.components > 0 && r.remaining() == size_t{out.components} * 3;
}

inline int laplacian(const uint8_t* p, std::ptrdiff_t w) {
  return p[-w - 1] - 2 * p[-w] + p[-w + 1] - 2 * p[-1] + 4 * p[0] - 2 * p[1] + p[w - 1] - 2 * p[w] + p[w + 1];
}

inline int laplacian_diff(const uint8_t* a, const uint8_t* b, std::ptrdiff_t sw) {
  auto d = [&](std::ptrdiff_t o) { return int{b[o]} - int{a[o]}; };
  return d(-sw - 1) - 2 * d(-sw) + d(-sw + 1) - 2 * d(-1) + 4 * d(0) - 2 * d(1) + d(sw - 1) - 2 * d(sw) + d(sw + 1);
}

}  // namespace

JpegHeader parse_jpeg_header(Span jpeg) {
  JpegHeader out;
  Reader r(jpeg);
  uint8_t a = 0, b = 0;
  if (!r.u8(a) || !r.u8(b) || a != 0xFF || b != 0xD8) return out;
  bool have_sof = false;
  for (;;) {
    uint8_t marker = 0;
    if (!r.u8(a) || a != 0xFF) return out;
    do {  // fill bytes: any number of 0xFF before the marker code
      if (!r.u8(marker)) return out;
    } while (marker == 0xFF);
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // standalone markers
    if (marker == 0xD8 || marker == 0xD9) return out;                    // SOI again, or EOI before a scan
    uint16_t length = 0;
    Span segment;
    if (!r.u16(length) || length < 2 || !r.bytes(length - 2u, segment)) return out;
    if (marker == 0xDB) {
      if (!parse_dqt(segment, out)) return out;
    } else if (is_sof(marker)) {
      if (have_sof || !parse_sof(segment, out)) return out;
      have_sof = true;
      out.sof = marker;
    } else if (marker == 0xDA) {
      out.ok = have_sof;  // entropy-coded data follows; the header is complete
      return out;
    }
  }
}

std::vector<int16_t> laplacian_of(const Plane& plane) {
  if (!plane.valid()) return {};
  // |L * I| <= 16 * 255: fits an int16.
  std::vector<int16_t> out(plane.size, 0);
  const auto w = static_cast<std::ptrdiff_t>(plane.width);
  for (uint32_t y = 1; y + 1 < plane.height; ++y) {
    const size_t row = size_t{y} * plane.width;
    for (uint32_t x = 1; x + 1 < plane.width; ++x) out[row + x] = static_cast<int16_t>(laplacian(plane.data + row + x, w));
  }
  return out;
}

PairStats pair_stats(const Plane& a, const Plane& b, const std::vector<int16_t>& laplacian_a,
                     const std::vector<int16_t>& laplacian_b, int flat_limit) {
  PairStats out;
  if (!a.valid() || !b.valid() || a.width != b.width || a.height != b.height) return out;
  if (laplacian_a.size() != a.size || laplacian_b.size() != b.size) return out;
  out.comparable = true;
  size_t identical = 0;
  for (size_t i = 0; i < a.size; ++i) identical += a.data[i] == b.data[i];
  // Whole numbers summed exactly (a double sum of them was exact too, and gave the same value),
  // without a branch, so the compiler can take several pixels per instruction.
  int64_t sum = 0;
  int64_t flat = 0;
  for (uint32_t y = 1; y + 1 < a.height; ++y) {
    const int16_t* row_a = laplacian_a.data() + size_t{y} * a.width;
    const int16_t* row_b = laplacian_b.data() + size_t{y} * a.width;
    for (uint32_t x = 1; x + 1 < a.width; ++x) {
      const int32_t la = row_a[x], lb = row_b[x];
      const int32_t is_flat = (std::abs(la) <= flat_limit) & (std::abs(lb) <= flat_limit);
      sum += is_flat * std::abs(lb - la);
      flat += is_flat;
    }
  }
  out.identical_share = double(identical) / double(a.size);
  out.temporal_noise = flat == 0 ? 0 : kImmerkaer * double(sum) / double(flat);
  return out;
}

PairStats pair_stats(const Plane& a, const Plane& b, int flat_limit) {
  return pair_stats(a, b, laplacian_of(a), laplacian_of(b), flat_limit);
}

}  // namespace iad
