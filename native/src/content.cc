#include "content.h"

#include <cmath>

#include "limits.h"
#include "tlv.h"

namespace iad {
namespace {

// Wire tags (docs/capture-format.md). Containers reuse small numbers for their children.
namespace tag {
constexpr uint16_t kContent = 0x7001, kSdkSignature = 0x7002;
constexpr uint16_t kFormatVersion = 0x0001, kCaptureId = 0x0002, kCreatedAt = 0x0003, kSdk = 0x0004,
                   kCamera = 0x0005, kFrame = 0x0006, kBestFrame = 0x0007, kFaceScore = 0x0008,
                   kEnvironment = 0x0009, kDevice = 0x000A, kAttestation = 0x000B, kActivity = 0x000C,
                   kSessionToken = 0x000D;
}  // namespace tag

constexpr uint64_t bit(uint16_t t) { return uint64_t{1} << t; }

class Parser {
 public:
  explicit Parser(const uint8_t* base) : base_(base) {}

  Failure failure;

  bool fail(Code code, uint16_t t) {
    if (failure.code == Code::Ok) failure = Failure{code, t};
    return false;
  }

  Range range(Span s) const {
    return Range{static_cast<uint32_t>(s.data - base_), static_cast<uint32_t>(s.size)};
  }

  // Walks one container: skips extension tags, refuses unknown or repeated (unless `repeatable`)
  // tags, and checks that every tag of `required` was seen. Tags of a container are all < 64.
  template <typename OnField>
  bool fields(Span span, uint16_t container, uint64_t known, uint64_t required, uint64_t repeatable, OnField&& on_field) {
    TlvIterator it(span);
    Tlv tlv;
    bool error = false;
    uint64_t seen = 0;
    while (it.next(tlv, error)) {
      if (tlv.tag >= kExtensionTagBase) continue;
      if (tlv.tag >= 64 || (known & bit(tlv.tag)) == 0) return fail(Code::UnknownField, tlv.tag);
      if ((seen & bit(tlv.tag)) != 0 && (repeatable & bit(tlv.tag)) == 0) return fail(Code::DuplicateField, tlv.tag);
      seen |= bit(tlv.tag);
      if (!on_field(tlv)) return false;
    }
    if (error) return fail(Code::MalformedTlv, container);
    if ((seen & required) != required) {
      for (uint16_t t = 0; t < 64; ++t)
        if ((required & bit(t)) != 0 && (seen & bit(t)) == 0) return fail(Code::MissingField, t);
    }
    return true;
  }

  bool u8_flag(const Tlv& f, bool& out) {
    if (f.value.size != 1) return fail(Code::FieldSize, f.tag);
    if (f.value.data[0] > 1) return fail(Code::BadValue, f.tag);
    out = f.value.data[0] == 1;
    return true;
  }
  bool u16(const Tlv& f, uint16_t& out) {
    Reader r(f.value);
    return (f.value.size == 2 && r.u16(out)) || fail(Code::FieldSize, f.tag);
  }
  bool u32(const Tlv& f, uint32_t& out) {
    Reader r(f.value);
    return (f.value.size == 4 && r.u32(out)) || fail(Code::FieldSize, f.tag);
  }
  bool time_ms(const Tlv& f, uint64_t& out) {
    Reader r(f.value);
    if (f.value.size != 8 || !r.u64(out)) return fail(Code::FieldSize, f.tag);
    return out <= kMaxSafeInteger || fail(Code::BadValue, f.tag);
  }
  bool bytes(const Tlv& f, size_t min, size_t max, Range& out) {
    if (f.value.size < min || f.value.size > max) return fail(Code::FieldSize, f.tag);
    out = range(f.value);
    return true;
  }
  bool text(const Tlv& f, size_t min, size_t max, std::string& out) {
    if (f.value.size < min || f.value.size > max) return fail(Code::FieldSize, f.tag);
    if (!valid_utf8(f.value)) return fail(Code::BadValue, f.tag);
    out.assign(reinterpret_cast<const char*>(f.value.data), f.value.size);
    return true;
  }
  // Packed records of `record_bytes`: a u32 time then float32 values, all finite.
  bool samples(const Tlv& f, size_t record_bytes, size_t max_records, std::vector<float>& out) {
    if (f.value.size % record_bytes != 0) return fail(Code::FieldSize, f.tag);
    const size_t count = f.value.size / record_bytes;
    if (count > max_records) return fail(Code::LimitExceeded, f.tag);
    const size_t per = record_bytes / 4;
    out.reserve(count * per);
    Reader r(f.value);
    for (size_t i = 0; i < count; ++i) {
      uint32_t t = 0;
      r.u32(t);
      out.push_back(static_cast<float>(t));
      for (size_t k = 1; k < per; ++k) {
        float v = 0;
        r.f32(v);
        if (!std::isfinite(v)) return fail(Code::BadValue, f.tag);
        out.push_back(v);
      }
    }
    return true;
  }

 private:
  const uint8_t* base_;
};

bool parse_sdk(Parser& p, Span s, Capture& c) {
  return p.fields(s, tag::kSdk, bit(1) | bit(2) | bit(3), bit(1) | bit(2) | bit(3), 0, [&](const Tlv& f) {
    switch (f.tag) {
      case 1: return p.text(f, 1, kMaxSdkNameBytes, c.sdk_name);
      case 2: return p.text(f, 1, kMaxSdkVersionBytes, c.sdk_version);
      default: return p.text(f, 1, kMaxPlatformBytes, c.sdk_platform);
    }
  });
}

bool parse_camera(Parser& p, Span s, Capture& c) {
  const uint64_t all = bit(1) | bit(2) | bit(3) | bit(4);
  return p.fields(s, tag::kCamera, all, all, 0, [&](const Tlv& f) {
    switch (f.tag) {
      case 1: return p.text(f, 0, kMaxCameraNameBytes, c.camera_name);
      case 2:
        return p.u16(f, c.camera_width) &&
               ((c.camera_width >= 1 && c.camera_width <= kMaxImageSide) || p.fail(Code::BadValue, f.tag));
      case 3:
        return p.u16(f, c.camera_height) &&
               ((c.camera_height >= 1 && c.camera_height <= kMaxImageSide) || p.fail(Code::BadValue, f.tag));
      default:
        return p.u32(f, c.camera_fps_milli) &&
               ((c.camera_fps_milli >= 1 && c.camera_fps_milli <= kMaxFpsMilli) || p.fail(Code::BadValue, f.tag));
    }
  });
}

bool parse_frame(Parser& p, Span s, Capture& c) {
  if (c.frames.size() >= kMaxFrames) return p.fail(Code::LimitExceeded, tag::kFrame);
  Frame frame;
  const bool ok = p.fields(s, tag::kFrame, bit(1) | bit(2), bit(1) | bit(2), 0, [&](const Tlv& f) {
    if (f.tag == 1) return p.u32(f, frame.offset_ms);
    if (f.value.size > kMaxFrameBytes) return p.fail(Code::LimitExceeded, f.tag);
    if (!p.bytes(f, kMinFrameBytes, kMaxFrameBytes, frame.jpeg)) return false;
    // JPEG start-of-image marker followed by another marker.
    const uint8_t* d = f.value.data;
    return (d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) || p.fail(Code::BadValue, f.tag);
  });
  if (!ok) return false;
  c.frames.push_back(frame);
  return true;
}

bool parse_environment(Parser& p, Span s, Capture& c) {
  uint64_t known = 0;
  for (uint16_t t = 1; t <= kEnvironmentSignalCount; ++t) known |= bit(t);
  return p.fields(s, tag::kEnvironment, known, 0, 0, [&](const Tlv& f) { return p.u8_flag(f, c.environment[f.tag - 1]); });
}

bool parse_device(Parser& p, Span s, Capture& c) {
  const uint64_t all = bit(1) | bit(2) | bit(3) | bit(4) | bit(5);
  return p.fields(s, tag::kDevice, all, bit(1), 0, [&](const Tlv& f) {
    switch (f.tag) {
      case 1: return p.bytes(f, 1, kMaxDeviceIdBytes, c.device_id);
      case 2: return p.text(f, 0, kMaxDeviceTextBytes, c.device_manufacturer);
      case 3: return p.text(f, 0, kMaxDeviceTextBytes, c.device_model);
      case 4: return p.text(f, 0, kMaxDeviceTextBytes, c.device_os);
      default: return p.text(f, 0, kMaxDeviceTextBytes, c.device_os_version);
    }
  });
}

bool parse_statement(Parser& p, Span s, Attestation& a) {
  const uint64_t all = bit(1) | bit(2) | bit(3);
  return p.fields(s, 1, all, all, 0, [&](const Tlv& f) {
    switch (f.tag) {
      case 1: return p.bytes(f, kMinCaptureIdBytes, kMaxCaptureIdBytes, a.capture_id);
      case 2: return p.bytes(f, 1, kMaxDeviceIdBytes, a.device_id);
      default: return p.time_ms(f, a.issued_at_ms);
    }
  });
}

bool parse_attestation(Parser& p, Span s, Capture& c) {
  Attestation& a = c.attestation;
  const uint64_t all = bit(1) | bit(2) | bit(3);
  a.present = true;
  return p.fields(s, tag::kAttestation, all, all, 0, [&](const Tlv& f) {
    switch (f.tag) {
      case 1: return p.bytes(f, 1, kMaxStatementBytes, a.statement) && parse_statement(p, f.value, a);
      case 2: return p.bytes(f, kKeyIdBytes, kKeyIdBytes, a.authority_key_id);
      default: return p.bytes(f, kEd25519SignatureBytes, kEd25519SignatureBytes, a.signature);
    }
  });
}

bool parse_activity(Parser& p, Span s, Capture& c) {
  return p.fields(s, tag::kActivity, bit(1) | bit(2), 0, 0, [&](const Tlv& f) {
    if (f.tag == 1) return p.samples(f, kMotionSampleBytes, kMaxMotionSamples, c.motion);
    return p.samples(f, kTouchBytes, kMaxTouches, c.touches);
  });
}

bool parse_content(Parser& p, Span s, Capture& c) {
  uint64_t known = 0;
  for (uint16_t t = tag::kFormatVersion; t <= tag::kSessionToken; ++t) known |= bit(t);
  const uint64_t required = known & ~bit(tag::kAttestation) & ~bit(tag::kSessionToken);
  const bool ok = p.fields(s, 0, known, required, bit(tag::kFrame), [&](const Tlv& f) {
    switch (f.tag) {
      case tag::kFormatVersion:
        // Checked first so that a future version fails as "unsupported", not as a field error.
        return p.u16(f, c.format_version) &&
               (c.format_version == kFormatVersion || p.fail(Code::UnsupportedFormatVersion, f.tag));
      case tag::kCaptureId: return p.bytes(f, kMinCaptureIdBytes, kMaxCaptureIdBytes, c.capture_id);
      case tag::kCreatedAt: return p.time_ms(f, c.created_at_ms);
      case tag::kSdk: return parse_sdk(p, f.value, c);
      case tag::kCamera: return parse_camera(p, f.value, c);
      case tag::kFrame: return parse_frame(p, f.value, c);
      case tag::kBestFrame: return p.u16(f, c.best_frame);
      case tag::kFaceScore:
        return p.u16(f, c.face_score) && (c.face_score <= kMaxFaceScore || p.fail(Code::BadValue, f.tag));
      case tag::kEnvironment: return parse_environment(p, f.value, c);
      case tag::kDevice: return parse_device(p, f.value, c);
      case tag::kAttestation: return parse_attestation(p, f.value, c);
      case tag::kSessionToken:
        c.has_session_token = true;
        return p.bytes(f, 1, kMaxSessionTokenBytes, c.session_token);
      default: return parse_activity(p, f.value, c);
    }
  });
  if (!ok) return false;
  return c.best_frame < c.frames.size() || p.fail(Code::BadValue, tag::kBestFrame);
}

}  // namespace

bool valid_utf8(Span text) {
  const uint8_t* s = text.data;
  size_t i = 0;
  const size_t n = text.size;
  while (i < n) {
    const uint8_t b = s[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0, min = 0;
    if ((b & 0xE0) == 0xC0) len = 2, cp = b & 0x1F, min = 0x80;
    else if ((b & 0xF0) == 0xE0) len = 3, cp = b & 0x0F, min = 0x800;
    else if ((b & 0xF8) == 0xF0) len = 4, cp = b & 0x07, min = 0x10000;
    else return false;
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

Failure parse_plaintext(Span plaintext, Capture& out) {
  Parser p(plaintext.data);
  // The signed content, then the SDK signature over it. The signature may be left out only by a
  // web capture that carries a session token (checked once the content is parsed).
  TlvIterator it(plaintext);
  Tlv content, signature, extra;
  bool error = false;
  if (!it.next(content, error) || content.tag != tag::kContent) {
    p.fail(error ? Code::MalformedTlv : Code::MissingField, tag::kContent);
    return p.failure;
  }
  const bool has_signature = it.next(signature, error);
  if (error) {
    p.fail(Code::MalformedTlv, tag::kSdkSignature);
    return p.failure;
  }
  if (has_signature) {
    if (signature.tag != tag::kSdkSignature) {
      p.fail(Code::MissingField, tag::kSdkSignature);
      return p.failure;
    }
    if (it.next(extra, error) || error) {
      p.fail(error ? Code::MalformedTlv : Code::UnknownField, error ? 0 : extra.tag);
      return p.failure;
    }
    if (signature.value.size != kKeyIdBytes + kEd25519SignatureBytes) {
      p.fail(Code::FieldSize, tag::kSdkSignature);
      return p.failure;
    }
    out.sdk_signed = true;
    out.sdk_key_id = p.range(Span{signature.value.data, kKeyIdBytes});
    out.sdk_signature = p.range(Span{signature.value.data + kKeyIdBytes, kEd25519SignatureBytes});
  }
  out.content = p.range(content.value);
  if (!parse_content(p, content.value, out)) return p.failure;
  // Unsigned is a web capture's privilege: it must name platform "web" and carry its session token.
  if (!out.sdk_signed && (!out.has_session_token || out.sdk_platform != kWebPlatform))
    p.fail(Code::MissingField, tag::kSdkSignature);
  return p.failure;
}

}  // namespace iad
