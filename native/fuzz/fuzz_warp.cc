// libFuzzer harness for the model-input warp: the input picks an image size, an affine map, an
// output size and the gain, and fills the image. The image and the output are allocated at exactly
// their sizes, so AddressSanitizer catches a read or write one byte past either. Oracle besides the
// sanitizers: the AVX2 path (when this CPU has it) writes the same bits as the baseline one.
#include <cstdlib>
#include <cstring>
#include <memory>

#include "../src/warp.h"

namespace {

// Reads the next bytes of the input as a T (zero once the input runs out).
template <class T>
T take(const uint8_t*& data, size_t& size) {
  T value{};
  const size_t n = size < sizeof(T) ? size : sizeof(T);
  std::memcpy(&value, data, n);
  data += n;
  size -= n;
  return value;
}

// A map coordinate: mostly a small number in a useful range, sometimes raw bits (NaN, infinities).
double coordinate(const uint8_t*& data, size_t& size, double scale) {
  const uint8_t kind = take<uint8_t>(data, size);
  if (kind < 16) return take<double>(data, size);
  return static_cast<double>(take<int16_t>(data, size)) / 4096.0 * scale;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const uint32_t width = 1 + take<uint8_t>(data, size) % 48;
  const uint32_t height = 1 + take<uint8_t>(data, size) % 48;
  const uint32_t out_size = 1 + take<uint8_t>(data, size) % 40;
  const uint32_t rows = 1 + take<uint8_t>(data, size) % 40;
  iad::Affine t{};
  t.ax = coordinate(data, size, 4);
  t.bx = coordinate(data, size, 4);
  t.cx = coordinate(data, size, 64);
  t.ay = coordinate(data, size, 4);
  t.by = coordinate(data, size, 4);
  t.cy = coordinate(data, size, 64);
  const bool signed_range = take<uint8_t>(data, size) & 1;
  const double gain = signed_range ? 2.0 / 255 : 1.0 / 255;
  const double offset = signed_range ? -1 : 0;

  const size_t pixels = size_t{width} * height * 3;
  std::unique_ptr<uint8_t[]> rgb(new uint8_t[pixels]);
  for (size_t i = 0; i < pixels; ++i) rgb[i] = size > 0 ? data[i % size] : static_cast<uint8_t>(i * 37);
  const size_t values = size_t{out_size} * rows * 3;
  std::unique_ptr<float[]> best(new float[values]);
  std::unique_ptr<float[]> baseline(new float[values]);
  iad::warp_to_tensor(rgb.get(), width, height, t, out_size, rows, gain, offset, best.get());
  iad::warp_to_tensor_baseline(rgb.get(), width, height, t, out_size, rows, gain, offset, baseline.get());
  if (std::memcmp(best.get(), baseline.get(), values * sizeof(float)) != 0) std::abort();
  return 0;
}
