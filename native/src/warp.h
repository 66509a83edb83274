// Bilinear resampling of a packed RGB image through an affine map into a planar (NCHW) float
// tensor: the face models' inputs (a 256x192 detector input, a 192 px landmark crop, 64 px eye
// crops per analysis). In JavaScript it cost ~1.3 ms of a face worker's time per capture; here the
// same arithmetic (doubles, the same operation order, no fused multiply-adds: -ffp-contract=off)
// gives the same float32 values in a fraction of that. Synchronous: the face worker thread that
// calls it has nothing else to do meanwhile, and a libuv hop would cost more than the work.
#pragma once
#include <cstddef>
#include <cstdint>

namespace iad {

// Output pixel (u, v) samples the source at x = ax*u + bx*v + cx, y = ay*u + by*v + cy, pixel
// centres at +0.5 on both sides.
struct Affine {
  double ax, bx, cx, ay, by, cy;
};

// Writes size x rows pixels, channel planes one after the other, each value pixel * gain + offset;
// black (offset) where no tap of a pixel lies inside the image, NaN where the map gives NaN (as
// the JavaScript did). The caller checks that `rgb` holds width * height * 3 bytes and `out`
// size * rows * 3 floats.
// Pixels inside the image take all three channels at once with AVX2 where the CPU has it.
void warp_to_tensor(const uint8_t* rgb, uint32_t width, uint32_t height, const Affine& t, uint32_t size, uint32_t rows,
                    double gain, double offset, float* out);

// The same without AVX2, whatever the CPU: the fuzzer checks both give the same bits.
void warp_to_tensor_baseline(const uint8_t* rgb, uint32_t width, uint32_t height, const Affine& t, uint32_t size,
                             uint32_t rows, double gain, double offset, float* out);

}  // namespace iad
