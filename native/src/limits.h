// Limits and constants of capture format v1 (docs/capture-format.md). They are part of the format:
// a capture outside them is malformed, whatever its signatures say.
#pragma once
#include <cstddef>
#include <cstdint>

namespace iad {

constexpr uint8_t kMagic[4] = {'I', 'A', 'D', 'C'};
constexpr uint8_t kEnvelopeVersion = 1;
constexpr uint8_t kSuiteX25519HkdfSha256Aes256Gcm = 1;
constexpr uint16_t kFormatVersion = 1;

constexpr size_t kKeyIdBytes = 8;      // first 8 bytes of SHA-256(raw public key)
constexpr size_t kX25519Bytes = 32;
constexpr size_t kEd25519PublicBytes = 32;
constexpr size_t kEd25519SignatureBytes = 64;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr size_t kHeaderBytes = 4 + 1 + 1 + kKeyIdBytes + kX25519Bytes + kNonceBytes + 4;  // 62

constexpr size_t kMaxCaptureBytes = 16u * 1024 * 1024;
constexpr size_t kMaxFrames = 16;
constexpr size_t kMaxFrameBytes = 4u * 1024 * 1024;
constexpr size_t kMinFrameBytes = 4;  // SOI marker plus one byte: anything smaller is not a JPEG
constexpr size_t kMinCaptureIdBytes = 16;
constexpr size_t kMaxCaptureIdBytes = 64;
constexpr size_t kMaxDeviceIdBytes = 128;
constexpr size_t kMaxSdkNameBytes = 64;
constexpr size_t kMaxSdkVersionBytes = 32;
constexpr size_t kMaxPlatformBytes = 32;
constexpr size_t kMaxCameraNameBytes = 128;
constexpr size_t kMaxDeviceTextBytes = 64;
constexpr uint16_t kMaxImageSide = 16384;
constexpr uint32_t kMaxFpsMilli = 1000u * 1000;  // 1000 fps
constexpr uint16_t kMaxFaceScore = 10000;        // basis points of probability
constexpr size_t kMaxStatementBytes = 1024;
constexpr size_t kMotionSampleBytes = 28;  // t u32, ax ay az gx gy gz f32
constexpr size_t kMaxMotionSamples = 8192;
constexpr size_t kTouchBytes = 16;  // t u32, x y pressure f32
constexpr size_t kMaxTouches = 1024;
constexpr size_t kMaxSessionTokenBytes = 1024;  // opaque, issued by the service to a web page
constexpr char kWebPlatform[] = "web";           // SDK platform of browser captures
// JS numbers are exact up to 2^53 - 1: a larger time cannot be handed to JavaScript faithfully.
constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;

// Domain-separation prefixes: a signature made for one purpose never verifies for another.
constexpr char kHkdfInfo[] = "IADC-v1 X25519-HKDF-SHA256-AES256GCM";
constexpr char kSdkSignatureContext[] = "IADC-v1-sdk-signature";   // followed by 0x00 and SHA-256(content)
constexpr char kAttestationContext[] = "IADC-v1-attestation";      // followed by 0x00 and the statement

}  // namespace iad
