// TLV records of format v1: tag u16, length u32, value, big-endian. `TlvIterator` walks a span of
// records and refuses any record whose length runs past the end of its span.
#pragma once
#include "bytes.h"

namespace iad {

// Tags at or above this value are extensions: readers skip them. Below it, an unknown tag is an error.
constexpr uint16_t kExtensionTagBase = 0x8000;

struct Tlv {
  uint16_t tag = 0;
  Span value;
};

class TlvIterator {
 public:
  explicit TlvIterator(Span span) : reader_(span) {}
  // Returns false at the end; sets `error` when the remaining bytes are not a whole record.
  bool next(Tlv& out, bool& error) {
    error = false;
    if (reader_.done()) return false;
    uint16_t tag = 0;
    uint32_t length = 0;
    Span value;
    if (!reader_.u16(tag) || !reader_.u32(length) || !reader_.bytes(length, value)) {
      error = true;
      return false;
    }
    out = Tlv{tag, value};
    return true;
  }

 private:
  Reader reader_;
};

}  // namespace iad
