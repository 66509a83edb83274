// A baseline JPEG decoder that decodes straight to 1/2, 1/4 or 1/8 scale, for the face analysis.
//
// Why hand-written: the addon may not link a third-party decoder, and through sharp (libvips) a
// 1280x720 frame costs 3-5 ms at 1/4 scale where libjpeg-turbo alone takes 0.8-2.2 ms; the
// difference is libvips' per-call pipeline and its guard that turns an exact 1/4 into a 1/2 decode
// plus a reduction. Each output pixel is the mean of the scale x scale source pixels it covers,
// computed in the DCT domain from the block's non-zero coefficients (4 multiply-adds each at 1/4).
//
// Scope: baseline and extended sequential Huffman JPEG (SOF0, SOF1), 8-bit, one component (grey)
// or three (YCbCr, sampling factors 1 or 2), one interleaved scan, restart intervals. Anything
// else is reported Unsupported and the caller decodes it another way (sharp). Every length and
// index is checked before use; broken data is reported Corrupt, never read past.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace iad {

enum class JpegDecodeStatus { Ok, Unsupported, Corrupt };

struct ScaledRgb {
  uint32_t width = 0;   // ceil(frame width / scale)
  uint32_t height = 0;  // ceil(frame height / scale)
  std::vector<uint8_t> rgb;  // interleaved R, G, B; width * height * 3 bytes, unless in_target
  bool in_target = false;    // the pixels went to the caller's target instead
};

// `scale` is 2, 4 or 8; any other value is Unsupported. When `target` can hold width * height * 3
// bytes the pixels are written there (and only once the whole frame has decoded), sparing an
// allocation per frame; otherwise into `out.rgb`.
JpegDecodeStatus decode_jpeg_scaled(const uint8_t* data, size_t size, int scale, ScaledRgb& out,
                                    uint8_t* target = nullptr, size_t target_size = 0);

}  // namespace iad
