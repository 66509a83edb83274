// See jpeg_scaled.h. Layout: marker parsing (tables, frame, scan), a bounds-checked bit reader
// over the entropy-coded segment, Huffman decoding with a 10-bit lookup, the scaled block output,
// and the colour conversion.
#include "jpeg_scaled.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <utility>

#include "limits.h"

namespace iad {
namespace {

// Zig-zag position -> natural (row-major) index in the 8x8 block.
constexpr uint8_t kZigZag[64] = {0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,
                                 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6,  7,  14, 21, 28,
                                 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
                                 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};
// Largest frame decoded here (64 MP): bounds the planes' memory whatever the header says.
constexpr uint64_t kMaxPixels = 64ull * 1024 * 1024;
// Lookahead of the Huffman tables: 10 bits decode 11-14% faster than 9 on 1280x720 frames (and
// 11 no faster); each table then holds 4 KiB of lookups.
constexpr int kFastBits = 10;

struct Huffman {
  bool defined = false;
  uint8_t fast_length[1 << kFastBits] = {};  // 0: no code of at most kFastBits bits starts so
  uint8_t fast_symbol[1 << kFastBits] = {};
  // AC tables: run, value and total bits of a code whose value bits also fit the lookahead
  // (value << 8 | run << 4 | bits); 0 where the slow path must decode.
  int16_t fast_ac[1 << kFastBits] = {};
  int32_t max_code[17] = {};  // per length: codes below this (left-aligned to that length) are valid
  int32_t offset[17] = {};    // per length: symbol index = code + offset
  uint8_t symbols[256] = {};
  int count = 0;
};

struct Component {
  uint8_t id = 0;
  int h = 1, v = 1;
  int quant = 0;
  int dc_table = 0, ac_table = 0;
  int dc_pred = 0;
  // At 1/4 scale, per zig-zag position: the coefficient's weight on the block's 2x2 outputs
  // (quantiser times the two 1-D box weights), in the lane of its parity class (see
  // `quarter_block`); the other three lanes are zero.
  float quarter_lanes[64][4] = {};
  // Decoded plane at output scale; every byte is written by a block before it is read.
  uint32_t plane_width = 0, plane_height = 0;
  std::unique_ptr<uint8_t[]> plane;
};

struct Tables {
  uint16_t quant[4][64] = {};  // natural order
  bool quant_defined[4] = {};
  Huffman dc[4], ac[4];
};

bool build_huffman(Huffman& h, const uint8_t counts[16], const uint8_t* symbols, int total) {
  h = Huffman{};
  std::memcpy(h.symbols, symbols, static_cast<size_t>(total));
  h.count = total;
  int32_t code = 0;
  int k = 0;
  for (int length = 1; length <= 16; ++length) {
    h.offset[length] = k - code;
    for (int i = 0; i < counts[length - 1]; ++i) {
      if (code >= (1 << length)) return false;  // more codes than the length can hold
      if (length <= kFastBits) {
        const int shift = kFastBits - length;
        for (int s = 0; s < (1 << shift); ++s) {
          const int index = (code << shift) | s;
          h.fast_length[index] = static_cast<uint8_t>(length);
          h.fast_symbol[index] = symbols[k];
        }
      }
      ++code;
      ++k;
    }
    h.max_code[length] = code;
    code <<= 1;
  }
  for (int i = 0; i < (1 << kFastBits); ++i) {
    const int length = h.fast_length[i];
    const int run = h.fast_symbol[i] >> 4;
    const int size = h.fast_symbol[i] & 15;
    if (length == 0 || size == 0 || length + size > kFastBits) continue;
    int value = ((i << length) & ((1 << kFastBits) - 1)) >> (kFastBits - size);
    if (value < (1 << (size - 1))) value += 1 - (1 << size);
    if (value >= -128 && value <= 127) h.fast_ac[i] = static_cast<int16_t>(value * 256 + run * 16 + length + size);
  }
  h.defined = true;
  return true;
}

// Bits of the entropy-coded segment, most significant first. Stuffed zero bytes (FF 00) are
// dropped; at a marker, or at the end of the data, zero bits are fed instead and counted, so that
// reading past the real data is detected (`overrun`).
class BitReader {
 public:
  BitReader(const uint8_t* data, size_t size, size_t pos) : data_(data), size_(size), pos_(pos) {}

  uint32_t peek16() {
    if (bits_ < 16) fill();
    return static_cast<uint32_t>(buffer_ >> 48);
  }
  void consume(int n) {
    buffer_ <<= n;
    bits_ -= n;
    consumed_ += static_cast<uint64_t>(n);
  }
  uint32_t take(int n) {  // 0 < n <= 16
    const uint32_t v = peek16() >> (16 - n);
    consume(n);
    return v;
  }
  bool overrun() const { return consumed_ > real_; }

  // After a restart interval: drop the bits left of the interval (its padding) and step over its
  // RSTn marker, which must come next: every byte before it has been loaded already.
  bool restart(uint8_t expected) {
    buffer_ = 0;
    bits_ = 0;
    consumed_ = 0;
    real_ = 0;
    at_marker_ = false;
    while (pos_ + 2 < size_ && data_[pos_] == 0xFF && data_[pos_ + 1] == 0xFF) ++pos_;
    if (pos_ + 2 > size_ || data_[pos_] != 0xFF || data_[pos_ + 1] != expected) return false;
    pos_ += 2;
    return true;
  }

 private:
  // Inlined into every peek: the fast path below is a handful of instructions, the slow one is not.
  __attribute__((always_inline)) inline void fill() {
    // Fast path: the next 8 bytes hold no 0xFF (no stuffing, no marker), so as many whole bytes as
    // the buffer has room for go in at once.
    if (__builtin_expect(!at_marker_ && size_ - pos_ >= 8 && bits_ <= 56, 1)) {
      uint64_t word;
      std::memcpy(&word, data_ + pos_, 8);
      word = __builtin_bswap64(word);
      const uint64_t inverted = ~word;
      if (((inverted - 0x0101010101010101ull) & ~inverted & 0x8080808080808080ull) == 0) {
        const int count = (64 - bits_) >> 3;  // 1..8 bytes
        const uint64_t bytes = count == 8 ? word : word >> (64 - 8 * count);
        buffer_ |= bytes << (64 - bits_ - 8 * count);
        bits_ += 8 * count;
        pos_ += static_cast<size_t>(count);
        real_ += static_cast<uint64_t>(8 * count);
        return;
      }
    }
    fill_bytewise();
  }

  // Byte by byte: stuffed zero bytes, a marker or the end of the data come next.
  __attribute__((noinline)) void fill_bytewise() {
    while (bits_ <= 56) {
      uint64_t byte = 0;
      if (!at_marker_ && pos_ < size_) {
        const uint8_t b = data_[pos_];
        if (b != 0xFF) {
          byte = b;
          ++pos_;
          real_ += 8;
        } else if (pos_ + 1 >= size_) {
          at_marker_ = true;  // truncated inside a marker: no more data
        } else if (data_[pos_ + 1] == 0x00) {
          byte = 0xFF;
          pos_ += 2;
          real_ += 8;
        } else if (data_[pos_ + 1] == 0xFF) {
          ++pos_;  // fill byte before a marker
          continue;
        } else {
          at_marker_ = true;
        }
      } else if (!at_marker_) {
        at_marker_ = true;  // end of data
      }
      buffer_ |= byte << (56 - bits_);
      bits_ += 8;
    }
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_;
  uint64_t buffer_ = 0;
  int bits_ = 0;
  uint64_t consumed_ = 0;
  uint64_t real_ = 0;
  bool at_marker_ = false;
};

// A code longer than the lookahead: searched length by length (rare, so kept out of line).
__attribute__((noinline)) int decode_long_symbol(BitReader& bits, const Huffman& h, uint32_t look) {
  for (int length = kFastBits + 1; length <= 16; ++length) {
    const int32_t code = static_cast<int32_t>(look >> (16 - length));
    if (code < h.max_code[length]) {
      const int32_t index = code + h.offset[length];
      if (index < 0 || index >= h.count) return -1;
      bits.consume(length);
      return h.symbols[index];
    }
  }
  return -1;
}

// Symbol of the next Huffman code, or -1 for a code the table does not hold.
inline int decode_symbol(BitReader& bits, const Huffman& h) {
  const uint32_t look = bits.peek16();
  const uint32_t fast = look >> (16 - kFastBits);
  if (__builtin_expect(h.fast_length[fast] != 0, 1)) {
    bits.consume(h.fast_length[fast]);
    return h.fast_symbol[fast];
  }
  return decode_long_symbol(bits, h, look);
}

int extend(uint32_t value, int size) {
  return value < (1u << (size - 1)) ? static_cast<int>(value) - (1 << size) + 1 : static_cast<int>(value);
}

// weights[i][u]: mean over output cell i (scale source pixels) of the 1-D IDCT basis u, with the
// JPEG normalisation (C(0) = 1/sqrt(2), and 1/2 per dimension).
struct BoxBasis {
  int n = 0;  // outputs per block side: 8 / scale
  float weights[8][8] = {};
  explicit BoxBasis(int scale) : n(8 / scale) {
    const double pi = 3.14159265358979323846;
    for (int i = 0; i < n; ++i)
      for (int u = 0; u < 8; ++u) {
        double sum = 0;
        for (int x = i * scale; x < (i + 1) * scale; ++x) sum += std::cos((2 * x + 1) * u * pi / 16);
        const double c = u == 0 ? 1 / std::sqrt(2.0) : 1.0;
        weights[i][u] = static_cast<float>(0.5 * c * sum / scale);
      }
  }
};

// Rounded to the nearest byte value, clamped to 0..255 (without a libm call per pixel).
inline uint8_t to_byte(float v) {
  if (!(v > 0)) return 0;
  if (v >= 254.5f) return 255;
  return static_cast<uint8_t>(static_cast<int>(v + 0.5f));
}

// Four floats or ints in one register (SSE2 on every x86-64, NEON on ARM): the colour
// conversion's lanes.
typedef float Floats4 __attribute__((vector_size(16)));
typedef int32_t Ints4 __attribute__((vector_size(16)));

// `to_byte` on four values at once, with the same results: v <= 0 (or NaN) gives 0, v >= 254.5
// gives 255, and any other v the truncation of v + 0.5f. Clamping before the truncation keeps the
// middle case's sum as it is: max(v, 0) + 0.5f is v + 0.5f there, 0.5f below, and the minimum
// with 255 only moves sums of 255 and more.
inline Ints4 to_bytes(Floats4 v) {
  const Floats4 zero = {0, 0, 0, 0};
  const Floats4 top = {255, 255, 255, 255};
  const Floats4 positive = v > zero ? v : zero;
  const Floats4 sum = positive + 0.5f;
  return __builtin_convertvector(sum < top ? sum : top, Ints4);
}

class Decoder {
 public:
  Decoder(const uint8_t* data, size_t size, int scale) : data_(data), size_(size), scale_(scale), basis_(scale) {}

  JpegDecodeStatus run(ScaledRgb& out, uint8_t* target, size_t target_size) {
    if (scale_ != 2 && scale_ != 4 && scale_ != 8) return JpegDecodeStatus::Unsupported;
    if (size_ < 4 || data_[0] != 0xFF || data_[1] != 0xD8) return JpegDecodeStatus::Corrupt;
    size_t pos = 2;
    for (;;) {
      // Next marker, skipping fill bytes.
      if (pos + 2 > size_ || data_[pos] != 0xFF) return JpegDecodeStatus::Corrupt;
      while (pos + 1 < size_ && data_[pos + 1] == 0xFF) ++pos;
      if (pos + 2 > size_) return JpegDecodeStatus::Corrupt;
      const uint8_t marker = data_[pos + 1];
      pos += 2;
      if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no length
      if (marker == 0xD9) return JpegDecodeStatus::Corrupt;  // end of image before any scan
      if (pos + 2 > size_) return JpegDecodeStatus::Corrupt;
      const size_t length = (size_t{data_[pos]} << 8) | data_[pos + 1];
      if (length < 2 || pos + length > size_) return JpegDecodeStatus::Corrupt;
      const uint8_t* segment = data_ + pos + 2;
      const size_t segment_size = length - 2;
      JpegDecodeStatus status = JpegDecodeStatus::Ok;
      switch (marker) {
        case 0xDB: status = quant_tables(segment, segment_size); break;
        case 0xC4: status = huffman_tables(segment, segment_size); break;
        case 0xC0:
        case 0xC1: status = frame(segment, segment_size); break;
        case 0xDD:
          if (segment_size != 2) return JpegDecodeStatus::Corrupt;
          restart_interval_ = (uint32_t{segment[0]} << 8) | segment[1];
          break;
        case 0xEE:  // Adobe: transform 0 means RGB or CMYK samples, not YCbCr
          if (segment_size >= 12 && std::memcmp(segment, "Adobe", 5) == 0 && segment[11] == 0) adobe_no_transform_ = true;
          break;
        case 0xDA:
          if (!have_frame_) return JpegDecodeStatus::Corrupt;
          status = scan(segment, segment_size, pos + length);
          if (status == JpegDecodeStatus::Ok) convert(out, target, target_size);
          return status;
        default:
          // Other start-of-frame kinds (progressive, lossless, arithmetic, hierarchical) and DNL.
          if ((marker >= 0xC2 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) || marker == 0xDC)
            return JpegDecodeStatus::Unsupported;
          break;  // APPn, COM and the rest carry nothing needed here
      }
      if (status != JpegDecodeStatus::Ok) return status;
      pos += length;
    }
  }

 private:
  JpegDecodeStatus quant_tables(const uint8_t* p, size_t size) {
    size_t i = 0;
    while (i < size) {
      const int precision = p[i] >> 4;
      const int id = p[i] & 15;
      ++i;
      if (id > 3 || precision > 1) return JpegDecodeStatus::Corrupt;
      const size_t bytes = precision == 0 ? 64 : 128;
      if (size - i < bytes) return JpegDecodeStatus::Corrupt;
      for (int k = 0; k < 64; ++k) {
        const uint16_t q = precision == 0 ? p[i + k] : static_cast<uint16_t>((p[i + 2 * k] << 8) | p[i + 2 * k + 1]);
        tables_.quant[id][kZigZag[k]] = q;
      }
      tables_.quant_defined[id] = true;
      i += bytes;
    }
    return JpegDecodeStatus::Ok;
  }

  JpegDecodeStatus huffman_tables(const uint8_t* p, size_t size) {
    size_t i = 0;
    while (i < size) {
      if (size - i < 17) return JpegDecodeStatus::Corrupt;
      const int kind = p[i] >> 4;
      const int id = p[i] & 15;
      if (kind > 1 || id > 3) return JpegDecodeStatus::Corrupt;
      uint8_t counts[16];
      int total = 0;
      for (int k = 0; k < 16; ++k) {
        counts[k] = p[i + 1 + k];
        total += counts[k];
      }
      i += 17;
      if (total > 256 || size - i < static_cast<size_t>(total)) return JpegDecodeStatus::Corrupt;
      Huffman& table = kind == 0 ? tables_.dc[id] : tables_.ac[id];
      if (!build_huffman(table, counts, p + i, total)) return JpegDecodeStatus::Corrupt;
      i += static_cast<size_t>(total);
    }
    return JpegDecodeStatus::Ok;
  }

  JpegDecodeStatus frame(const uint8_t* p, size_t size) {
    if (have_frame_) return JpegDecodeStatus::Corrupt;
    if (size < 6) return JpegDecodeStatus::Corrupt;
    if (p[0] != 8) return JpegDecodeStatus::Unsupported;  // 12-bit samples
    height_ = (uint32_t{p[1]} << 8) | p[2];
    width_ = (uint32_t{p[3]} << 8) | p[4];
    const int count = p[5];
    if (height_ == 0) return JpegDecodeStatus::Unsupported;  // height given later by DNL
    if (width_ == 0 || width_ > kMaxImageSide || height_ > kMaxImageSide) return JpegDecodeStatus::Corrupt;
    if (uint64_t{width_} * height_ > kMaxPixels) return JpegDecodeStatus::Unsupported;
    if (count != 1 && count != 3) return JpegDecodeStatus::Unsupported;  // CMYK and others
    if (size != 6 + 3 * static_cast<size_t>(count)) return JpegDecodeStatus::Corrupt;
    for (int c = 0; c < count; ++c) {
      Component comp;
      comp.id = p[6 + 3 * c];
      comp.h = p[7 + 3 * c] >> 4;
      comp.v = p[7 + 3 * c] & 15;
      comp.quant = p[8 + 3 * c];
      if (comp.h < 1 || comp.v < 1 || comp.h > 4 || comp.v > 4 || comp.quant > 3) return JpegDecodeStatus::Corrupt;
      if (comp.h > 2 || comp.v > 2) return JpegDecodeStatus::Unsupported;
      for (const Component& other : components_)
        if (other.id == comp.id) return JpegDecodeStatus::Corrupt;
      components_.push_back(std::move(comp));
    }
    for (const Component& c : components_) {
      max_h_ = std::max(max_h_, c.h);
      max_v_ = std::max(max_v_, c.v);
    }
    for (const Component& c : components_)
      if (max_h_ % c.h != 0 || max_v_ % c.v != 0) return JpegDecodeStatus::Unsupported;
    // A single component is one block per MCU whatever its factors say (non-interleaved scan).
    if (count == 1) components_[0].h = components_[0].v = max_h_ = max_v_ = 1;
    have_frame_ = true;
    return JpegDecodeStatus::Ok;
  }

  JpegDecodeStatus scan(const uint8_t* p, size_t size, size_t entropy_start) {
    if (size < 1) return JpegDecodeStatus::Corrupt;
    const size_t count = p[0];
    if (size != 4 + 2 * count) return JpegDecodeStatus::Corrupt;
    if (count != components_.size()) return JpegDecodeStatus::Unsupported;  // several scans
    // RGB samples, not YCbCr: flagged by an Adobe marker, or by component ids 'R', 'G', 'B'.
    if (components_.size() == 3 &&
        (adobe_no_transform_ || (components_[0].id == 'R' && components_[1].id == 'G' && components_[2].id == 'B')))
      return JpegDecodeStatus::Unsupported;
    order_.clear();
    for (size_t i = 0; i < count; ++i) {
      const uint8_t id = p[1 + 2 * i];
      size_t found = components_.size();
      for (size_t c = 0; c < components_.size(); ++c)
        if (components_[c].id == id) found = c;
      if (found == components_.size()) return JpegDecodeStatus::Corrupt;
      for (size_t seen : order_)
        if (seen == found) return JpegDecodeStatus::Corrupt;
      Component& comp = components_[found];
      comp.dc_table = p[2 + 2 * i] >> 4;
      comp.ac_table = p[2 + 2 * i] & 15;
      if (comp.dc_table > 3 || comp.ac_table > 3) return JpegDecodeStatus::Corrupt;
      if (!tables_.dc[comp.dc_table].defined || !tables_.ac[comp.ac_table].defined || !tables_.quant_defined[comp.quant])
        return JpegDecodeStatus::Corrupt;
      order_.push_back(found);
    }
    const uint8_t ss = p[1 + 2 * count], se = p[2 + 2 * count], a = p[3 + 2 * count];
    if (ss != 0 || se != 63 || a != 0) return JpegDecodeStatus::Corrupt;  // not a sequential scan

    const uint32_t mcu_width = 8u * static_cast<uint32_t>(max_h_);
    const uint32_t mcu_height = 8u * static_cast<uint32_t>(max_v_);
    const uint32_t mcus_x = (width_ + mcu_width - 1) / mcu_width;
    const uint32_t mcus_y = (height_ + mcu_height - 1) / mcu_height;
    const uint32_t n = static_cast<uint32_t>(basis_.n);
    // Every block takes at least 2 bits (a DC code and an end of block): a header promising more
    // blocks than the data can hold is a truncated or forged frame, refused before any allocation.
    uint64_t blocks = 0;
    for (const Component& c : components_) blocks += uint64_t{mcus_x} * mcus_y * static_cast<uint64_t>(c.h * c.v);
    if (entropy_start > size_ || blocks > 4 * uint64_t{size_ - entropy_start}) return JpegDecodeStatus::Corrupt;
    for (Component& c : components_) {
      c.plane_width = mcus_x * static_cast<uint32_t>(c.h) * n;
      c.plane_height = mcus_y * static_cast<uint32_t>(c.v) * n;
      c.plane.reset(new uint8_t[size_t{c.plane_width} * c.plane_height]);
      if (n == 2) prepare_quarter(c);
    }

    BitReader bits(data_, size_, entropy_start);
    uint32_t mcus_left_in_interval = restart_interval_;
    uint8_t next_restart = 0xD0;
    for (uint32_t my = 0; my < mcus_y; ++my) {
      for (uint32_t mx = 0; mx < mcus_x; ++mx) {
        if (restart_interval_ != 0) {
          if (mcus_left_in_interval == 0) {
            if (!bits.restart(next_restart)) return JpegDecodeStatus::Corrupt;
            next_restart = static_cast<uint8_t>(0xD0 + ((next_restart - 0xD0 + 1) & 7));
            for (Component& c : components_) c.dc_pred = 0;
            mcus_left_in_interval = restart_interval_;
          }
          --mcus_left_in_interval;
        }
        for (size_t index : order_) {
          Component& c = components_[index];
          for (int by = 0; by < c.v; ++by)
            for (int bx = 0; bx < c.h; ++bx) {
              const uint32_t block_x = mx * static_cast<uint32_t>(c.h) + static_cast<uint32_t>(bx);
              const uint32_t block_y = my * static_cast<uint32_t>(c.v) + static_cast<uint32_t>(by);
              if (!block(bits, c, block_x * n, block_y * n)) return JpegDecodeStatus::Corrupt;
            }
        }
        if (bits.overrun()) return JpegDecodeStatus::Corrupt;  // ran past the data: truncated
      }
    }
    return JpegDecodeStatus::Ok;
  }

  // Decodes one block's coefficients: the DC difference updates the component's predictor, and
  // each non-zero AC coefficient goes to `add(zigzag_position, value)` as it is decoded.
  template <typename Add>
  bool decode_block(BitReader& bits, Component& c, Add&& add) {
    const int dc_size = decode_symbol(bits, tables_.dc[c.dc_table]);
    if (dc_size < 0 || dc_size > 11) return false;
    if (dc_size > 0) c.dc_pred += extend(bits.take(dc_size), dc_size);
    if (c.dc_pred < -32768 || c.dc_pred > 32767) return false;
    const Huffman& ac = tables_.ac[c.ac_table];
    for (int k = 1; k < 64;) {
      int run = 0;
      int value = 0;
      const int fast = ac.fast_ac[bits.peek16() >> (16 - kFastBits)];
      if (fast != 0) {
        run = (fast >> 4) & 15;
        value = fast >> 8;
        bits.consume(fast & 15);
      } else {
        const int rs = decode_symbol(bits, ac);
        if (rs < 0) return false;
        run = rs >> 4;
        const int size = rs & 15;
        if (size == 0) {
          if (run != 15) break;  // end of block
          k += 16;
          continue;
        }
        if (size > 10) return false;
        value = extend(bits.take(size), size);
      }
      k += run;
      if (k > 63) return false;
      add(k, value);
      ++k;
    }
    return true;
  }

  // One block's N x N outputs (N = 8 / scale) at (x, y) of the component's plane: each
  // coefficient adds its share to every output. At 1/8 only the DC term has any (the mean of a
  // whole block); the AC terms are decoded and dropped.
  template <int N>
  bool block(BitReader& bits, Component& c, uint32_t x, uint32_t y) {
    const uint16_t* q = tables_.quant[c.quant];
    const float (*w)[8] = basis_.weights;
    float out[N][N] = {};
    const bool ok = decode_block(bits, c, [&](int k, int value) {
      if (N == 1) return;
      const int natural = kZigZag[k];
      const float f = static_cast<float>(value) * q[natural];
      const int v = natural >> 3, u = natural & 7;
      for (int i = 0; i < N; ++i) {
        const float a = f * w[i][v];
        for (int j = 0; j < N; ++j) out[i][j] += a * w[j][u];
      }
    });
    if (!ok) return false;
    const float dc = static_cast<float>(c.dc_pred) * q[0] * w[0][0] * w[0][0] + 128.0f;
    for (int i = 0; i < N; ++i) {
      uint8_t* row = c.plane.get() + size_t{y + static_cast<uint32_t>(i)} * c.plane_width + x;
      for (int j = 0; j < N; ++j) row[j] = to_byte(out[i][j] + dc);
    }
    return true;
  }

  // 1/4 scale, the face analysis' case, in one multiply-add per coefficient. The box weights of
  // the second output are those of the first with the sign of (-1)^u (the basis is symmetric
  // about the block's centre), so four sums by the parities of (v, u) give all four outputs.
  // Each coefficient is added to all four sums (three of them through a zero weight, which leaves
  // a sum unchanged), as one four-lane multiply and add, so they stay in a register: indexing a
  // sum array by the class made every add wait for the previous store (~20% of the decode).
  bool quarter_block(BitReader& bits, Component& c, uint32_t x, uint32_t y) {
    Floats4 sums = {0, 0, 0, 0};
    const bool ok = decode_block(bits, c, [&](int k, int value) {
      Floats4 weights;
      std::memcpy(&weights, c.quarter_lanes[k], sizeof weights);
      sums += static_cast<float>(value) * weights;  // per lane the scalar multiply and add
    });
    if (!ok) return false;
    const float a = static_cast<float>(c.dc_pred) * c.quarter_lanes[0][0] + 128.0f + sums[0];
    const float b = sums[1], cc = sums[2], d = sums[3];
    uint8_t* top = c.plane.get() + size_t{y} * c.plane_width + x;
    uint8_t* bottom = top + c.plane_width;
    top[0] = to_byte(a + b + cc + d);
    top[1] = to_byte(a - b + cc - d);
    bottom[0] = to_byte(a + b - cc - d);
    bottom[1] = to_byte(a - b - cc + d);
    return true;
  }

  void prepare_quarter(Component& c) const {
    const uint16_t* q = tables_.quant[c.quant];
    for (int k = 0; k < 64; ++k) {
      const int natural = kZigZag[k];
      const int v = natural >> 3, u = natural & 7;
      const int lane = ((v & 1) << 1) | (u & 1);
      for (int i = 0; i < 4; ++i) c.quarter_lanes[k][i] = 0;
      c.quarter_lanes[k][lane] = static_cast<float>(q[natural]) * basis_.weights[0][v] * basis_.weights[0][u];
    }
  }

  bool block(BitReader& bits, Component& c, uint32_t x, uint32_t y) {
    switch (basis_.n) {
      case 4: return block<4>(bits, c, x, y);
      case 2: return quarter_block(bits, c, x, y);
      default: return block<1>(bits, c, x, y);
    }
  }

  // Planes -> interleaved RGB at ceil(frame / scale); chroma planes are sampled at the nearest
  // position (they are at most half the luma resolution).
  void convert(ScaledRgb& out, uint8_t* target, size_t target_size) const {
    out.width = (width_ + static_cast<uint32_t>(scale_) - 1) / static_cast<uint32_t>(scale_);
    out.height = (height_ + static_cast<uint32_t>(scale_) - 1) / static_cast<uint32_t>(scale_);
    const size_t bytes = size_t{out.width} * out.height * 3;
    out.in_target = target != nullptr && bytes <= target_size;
    if (!out.in_target) out.rgb.resize(bytes);
    uint8_t* const rgb = out.in_target ? target : out.rgb.data();
    const Component& luma = components_[0];
    if (components_.size() == 1) {
      for (uint32_t y = 0; y < out.height; ++y)
        for (uint32_t x = 0; x < out.width; ++x) {
          const uint8_t g = luma.plane[size_t{y} * luma.plane_width + x];
          uint8_t* px = rgb + (size_t{y} * out.width + x) * 3;
          px[0] = px[1] = px[2] = g;
        }
      return;
    }
    const Component& cb = components_[1];
    const Component& cr = components_[2];
    // Chroma is at the luma's resolution or half of it (factors 1 or 2): a shift finds its sample.
    const int cb_x = max_h_ / cb.h - 1, cb_y = max_v_ / cb.v - 1;
    const int cr_x = max_h_ / cr.h - 1, cr_y = max_v_ / cr.v - 1;
    for (uint32_t y = 0; y < out.height; ++y) {
      const uint8_t* luma_row = luma.plane.get() + size_t{y} * luma.plane_width;
      const uint8_t* cb_row = cb.plane.get() + size_t{y >> cb_y} * cb.plane_width;
      const uint8_t* cr_row = cr.plane.get() + size_t{y >> cr_y} * cr.plane_width;
      uint8_t* px = rgb + size_t{y} * out.width * 3;
      uint32_t x = 0;
      // Four pixels at a time: the same float operations per lane as `to_byte` below.
      for (; x + 4 <= out.width; x += 4, px += 12) {
        const Floats4 yy = {float(luma_row[x]), float(luma_row[x + 1]), float(luma_row[x + 2]), float(luma_row[x + 3])};
        const Floats4 b = Floats4{float(cb_row[x >> cb_x]), float(cb_row[(x + 1) >> cb_x]), float(cb_row[(x + 2) >> cb_x]),
                                  float(cb_row[(x + 3) >> cb_x])} -
                          128.0f;
        const Floats4 r = Floats4{float(cr_row[x >> cr_x]), float(cr_row[(x + 1) >> cr_x]), float(cr_row[(x + 2) >> cr_x]),
                                  float(cr_row[(x + 3) >> cr_x])} -
                          128.0f;
        const Ints4 red = to_bytes(yy + 1.402f * r);
        const Ints4 green = to_bytes(yy - 0.344136f * b - 0.714136f * r);
        const Ints4 blue = to_bytes(yy + 1.772f * b);
        for (int i = 0; i < 4; ++i) {
          px[3 * i] = static_cast<uint8_t>(red[i]);
          px[3 * i + 1] = static_cast<uint8_t>(green[i]);
          px[3 * i + 2] = static_cast<uint8_t>(blue[i]);
        }
      }
      for (; x < out.width; ++x, px += 3) {
        const float yy = luma_row[x];
        const float b = static_cast<float>(cb_row[x >> cb_x]) - 128.0f;
        const float r = static_cast<float>(cr_row[x >> cr_x]) - 128.0f;
        px[0] = to_byte(yy + 1.402f * r);
        px[1] = to_byte(yy - 0.344136f * b - 0.714136f * r);
        px[2] = to_byte(yy + 1.772f * b);
      }
    }
  }

  const uint8_t* data_;
  size_t size_;
  int scale_;
  BoxBasis basis_;
  Tables tables_;
  std::vector<Component> components_;
  std::vector<size_t> order_;
  uint32_t width_ = 0, height_ = 0;
  int max_h_ = 1, max_v_ = 1;
  uint32_t restart_interval_ = 0;
  bool have_frame_ = false;
  bool adobe_no_transform_ = false;
};

}  // namespace

JpegDecodeStatus decode_jpeg_scaled(const uint8_t* data, size_t size, int scale, ScaledRgb& out, uint8_t* target,
                                    size_t target_size) {
  out = ScaledRgb{};
  if (data == nullptr) return JpegDecodeStatus::Corrupt;
  Decoder decoder(data, size, scale);
  const JpegDecodeStatus status = decoder.run(out, target, target_size);
  if (status != JpegDecodeStatus::Ok) out = ScaledRgb{};
  return status;
}

}  // namespace iad
