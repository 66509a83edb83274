// Typed outcomes of opening a capture. Codes are stable numbers shared with the TypeScript side
// (src/infra/native/NativeAddon.ts); names are for logs only.
#pragma once
#include <cstdint>

namespace iad {

enum class Code : uint8_t {
  Ok = 0,
  // Envelope: the bytes are not a capture this service can open.
  TooLarge = 1,
  Truncated = 2,
  BadMagic = 3,
  UnsupportedVersion = 4,
  UnsupportedSuite = 5,
  LengthMismatch = 6,
  UnknownServiceKey = 7,
  DecryptFailed = 8,
  // Content: it decrypted, but is not a well-formed v1 capture.
  MalformedTlv = 9,
  MissingField = 10,
  DuplicateField = 11,
  UnknownField = 12,
  FieldSize = 13,
  LimitExceeded = 14,
  BadValue = 15,
  UnsupportedFormatVersion = 16,
};

const char* code_name(Code code);

// UnsignedWeb: no SDK signature record, allowed only for a platform "web" capture carrying a
// session token (a browser cannot keep a signing key; the session binds the capture instead).
enum class SignatureFact : uint8_t { Valid = 0, Invalid = 1, UnknownKey = 2, UnsignedWeb = 3 };

enum class AttestationFact : uint8_t {
  Valid = 0,
  Invalid = 1,
  Missing = 2,
  OtherCapture = 3,
  OtherDevice = 4,
  UntrustedAuthority = 5,
};

struct Failure {
  Code code = Code::Ok;
  uint16_t tag = 0;  // the TLV tag that failed, 0 when not about a field
};

}  // namespace iad
