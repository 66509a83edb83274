// Content forensics over a capture's frames: JPEG header facts (quantisation tables, size) parsed
// from the bytes, and noise statistics over small grayscale planes that the caller decoded.
// Pure, no allocation beyond the outputs, every length checked; safe on any thread.
#pragma once
#include <cstdint>
#include <vector>

#include "bytes.h"

namespace iad {

struct QuantTable {
  uint8_t id = 0;         // Tq, 0..3
  uint8_t precision = 0;  // 0: 8-bit values, 1: 16-bit values
  uint16_t values[64] = {};  // in zig-zag (stream) order
};

// What the JPEG header says before the first scan. `ok` is false when the marker structure up to
// the first SOS is broken (a segment running past the end, no SOF, no SOS, a DQT of bad length).
struct JpegHeader {
  bool ok = false;
  uint16_t width = 0, height = 0;
  uint8_t components = 0;
  uint8_t sof = 0;  // the SOFn marker's low byte (0xC0 baseline, 0xC2 progressive...)
  std::vector<QuantTable> tables;
};

JpegHeader parse_jpeg_header(Span jpeg);

constexpr size_t kMaxQuantTables = 16;  // a header redefining tables more often is not an encoder's

// One grayscale plane, row-major, width * height bytes.
struct Plane {
  const uint8_t* data = nullptr;
  size_t size = 0;
  uint32_t width = 0, height = 0;
  bool valid() const { return data != nullptr && width >= 3 && height >= 3 && size_t{width} * height == size; }
};

struct PairStats {
  bool comparable = false;  // both planes valid and of equal size
  double temporal_noise = 0;  // Immerkaer estimate over the difference b - a, flat pixels only
  double identical_share = 0; // share of pixels with b == a exactly
};

// Temporal sensor noise between two consecutive frames (Immerkaer's estimate, sqrt(pi/2) / 6 *
// mean |L * (b - a)| with L the 3x3 Laplacian mask). Only pixels where both frames are flat
// (|L * I| <= flat_limit) count, so that edges moved by hand motion do not pass for noise.
PairStats pair_stats(const Plane& a, const Plane& b, int flat_limit);

// L * I at every interior pixel of a valid plane (borders 0), row-major: each frame's is computed
// once and serves both pairs the frame is in. Empty for an invalid plane.
std::vector<int16_t> laplacian_of(const Plane& plane);

// The same as above from the planes' Laplacians: L * (b - a) = L * b - L * a exactly in integers.
PairStats pair_stats(const Plane& a, const Plane& b, const std::vector<int16_t>& laplacian_a,
                     const std::vector<int16_t>& laplacian_b, int flat_limit);

}  // namespace iad
