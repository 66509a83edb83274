// libFuzzer harness for the scaled JPEG decoder: every input is decoded at 1/2, 1/4 and 1/8.
// Oracles besides the sanitizers: a decoded image is never empty, its pixel buffer has exactly
// width * height * 3 bytes, and a failed decode leaves no image behind.
#include <cstdlib>

#include "../src/jpeg_scaled.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (int scale : {2, 4, 8}) {
    iad::ScaledRgb image;
    const iad::JpegDecodeStatus status = iad::decode_jpeg_scaled(data, size, scale, image);
    if (status == iad::JpegDecodeStatus::Ok) {
      if (image.width == 0 || image.height == 0) std::abort();
      if (image.rgb.size() != size_t{image.width} * image.height * 3) std::abort();
    } else if (!image.rgb.empty() || image.width != 0 || image.in_target) {
      std::abort();
    }
  }
  return 0;
}
