// The scene comparison of a burst's further frames (src/infra/face/SceneChange.ts says what and
// why): a frame's brightness as a summed-area table, and the best +-2 px alignment of two tables'
// 8x8-pixel cell means with a fitted gain and offset. It was ~0.7 ms of a face worker's JavaScript
// per capture; here the same double arithmetic in the same order (no fused multiply-adds) gives
// the same numbers. Synchronous, on the calling face worker thread.
#pragma once
#include <cstddef>
#include <cstdint>

namespace iad {

// (width + 1) x (height + 1) doubles: entry (y, x) is the sum of R + G + B over the pixels above
// and left of it; row 0 and column 0 are zero. The caller checks the buffers' sizes.
void scene_table(const uint8_t* rgb, uint32_t width, uint32_t height, double* table);

struct SceneComparison {
  int shift_x = 0;
  int shift_y = 0;
  double max_residual = 0;  // grey levels, after alignment and exposure fit
};

// Two tables of frames of the same size.
SceneComparison compare_scenes(const double* best, const double* other, uint32_t width, uint32_t height);

}  // namespace iad
