// A parsed v1 capture. Byte fields are offsets into the decrypted plaintext, which the caller
// keeps alive; frames are therefore views, never copies.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "result.h"

namespace iad {

struct Range {
  uint32_t offset = 0;
  uint32_t length = 0;
};

struct Frame {
  uint32_t offset_ms = 0;  // since created_at
  Range jpeg;
};

// Environment signals, in wire-tag order (tag = index + 1). Absent means "not reported" = false.
enum EnvironmentSignal : uint8_t {
  kEmulator = 0,
  kRooted,
  kHookingFramework,
  kDebuggerAttached,
  kVirtualCamera,
  kAppRepackaged,
  kRemoteControl,
  kEnvironmentSignalCount
};

struct Attestation {
  bool present = false;
  Range statement;
  Range capture_id;
  Range device_id;
  uint64_t issued_at_ms = 0;
  Range authority_key_id;
  Range signature;
};

struct Capture {
  uint16_t format_version = 0;
  Range capture_id;
  uint64_t created_at_ms = 0;
  std::string sdk_name, sdk_version, sdk_platform;
  std::string camera_name;
  uint16_t camera_width = 0, camera_height = 0;
  uint32_t camera_fps_milli = 0;
  std::vector<Frame> frames;
  uint16_t best_frame = 0;
  uint16_t face_score = 0;  // basis points
  bool environment[kEnvironmentSignalCount] = {};
  Range device_id;
  std::string device_manufacturer, device_model, device_os, device_os_version;
  Attestation attestation;
  std::vector<float> motion;   // 7 values per sample: t_ms, ax, ay, az, gx, gy, gz
  std::vector<float> touches;  // 4 values per touch: t_ms, x, y, pressure
  bool has_session_token = false;
  Range session_token;         // opaque bytes issued by the service (web captures)
  Range content;               // the signed bytes
  bool sdk_signed = false;     // false: no SDK_SIGNATURE record (web capture with a session token)
  Range sdk_key_id;
  Range sdk_signature;
};

struct Opened {
  Failure failure;  // code Ok when the rest is meaningful
  // The capture bytes, decrypted in place: the plaintext is buffer[plaintext_offset, +plaintext_size).
  // One buffer per open instead of two: fresh pages are costly, and frames stay views into it.
  std::vector<uint8_t> buffer;
  size_t plaintext_offset = 0;
  size_t plaintext_size = 0;
  const uint8_t* plaintext() const { return buffer.data() + plaintext_offset; }
  Capture capture;
  SignatureFact sdk_signature = SignatureFact::Invalid;
  AttestationFact attestation = AttestationFact::Missing;
};

}  // namespace iad
