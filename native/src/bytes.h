// A bounds-checked big-endian reader over a borrowed byte span. Every read checks the remaining
// length first; a failed read leaves the reader unchanged and returns false.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace iad {

struct Span {
  const uint8_t* data = nullptr;
  size_t size = 0;
};

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  explicit Reader(Span s) : data_(s.data), size_(s.size) {}

  size_t remaining() const { return size_ - pos_; }
  size_t position() const { return pos_; }
  bool done() const { return pos_ == size_; }

  bool u8(uint8_t& out) {
    if (remaining() < 1) return false;
    out = data_[pos_++];
    return true;
  }
  bool u16(uint16_t& out) {
    if (remaining() < 2) return false;
    out = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool u32(uint32_t& out) {
    if (remaining() < 4) return false;
    out = (uint32_t{data_[pos_]} << 24) | (uint32_t{data_[pos_ + 1]} << 16) | (uint32_t{data_[pos_ + 2]} << 8) |
          uint32_t{data_[pos_ + 3]};
    pos_ += 4;
    return true;
  }
  bool u64(uint64_t& out) {
    uint32_t hi = 0, lo = 0;
    if (remaining() < 8) return false;
    u32(hi);
    u32(lo);
    out = (uint64_t{hi} << 32) | lo;
    return true;
  }
  bool f32(float& out) {
    uint32_t bits = 0;
    if (!u32(bits)) return false;
    std::memcpy(&out, &bits, sizeof out);
    return true;
  }
  bool bytes(size_t n, Span& out) {
    if (remaining() < n) return false;
    out = Span{data_ + pos_, n};
    pos_ += n;
    return true;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace iad
