// libFuzzer harness for the capture parser. Each input is used twice:
//  1. as raw capture bytes (envelope parsing: magic, lengths, key ids), and
//  2. as a plaintext, sealed here with fixed keys so that it decrypts, then opened in full
//     (content parsing, limits, SDK signature and attestation checks).
// Oracles besides the sanitizers: a sealed input always decrypts, and every range of a parsed
// capture lies inside its plaintext. Seeds come from make-seeds.ts, signed with the same fixed keys.
#include <openssl/evp.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "../src/forensics.h"
#include "../src/limits.h"
#include "../src/open_capture.h"

namespace {

using namespace iad;

// Fixed test keys; make-seeds.ts holds the same bytes. Never used outside fuzzing.
const uint8_t kServiceSeed[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
const uint8_t kSdkSeed[32] = {33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
                              49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64};
const uint8_t kAttestationSeed[32] = {65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80,
                                      81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96};
const uint8_t kEphemeralSeed[32] = {97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112,
                                    113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128};

void ed25519_public_of(const uint8_t seed[32], uint8_t out[32]) {
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed, 32);
  size_t len = 32;
  if (key == nullptr || EVP_PKEY_get_raw_public_key(key, out, &len) != 1) abort();
  EVP_PKEY_free(key);
}

struct Fixture {
  Keyring keys;
  uint8_t header[kHeaderBytes];
  uint8_t aead_key[32];

  Fixture() {
    uint8_t sdk_public[32], attestation_public[32], ephemeral_public[32];
    ed25519_public_of(kSdkSeed, sdk_public);
    ed25519_public_of(kAttestationSeed, attestation_public);
    if (!keys.add_service_private(kServiceSeed, 32) || !keys.add_sdk_public(sdk_public, 32) ||
        !keys.add_attestation_public(attestation_public, 32))
      abort();
    if (!x25519_private(kEphemeralSeed, ephemeral_public)) abort();
    // Sender and receiver derive the same key; derive it once with the receiver's half.
    uint8_t service_public[32];
    Pkey service = x25519_private(kServiceSeed, service_public);
    if (!derive_aead_key(service.get(), service_public, ephemeral_public, aead_key)) abort();
    KeyId id{};
    key_id_of(service_public, 32, id);
    size_t at = 0;
    std::memcpy(header, kMagic, 4), at += 4;
    header[at++] = kEnvelopeVersion;
    header[at++] = kSuiteX25519HkdfSha256Aes256Gcm;
    std::memcpy(header + at, id.data(), kKeyIdBytes), at += kKeyIdBytes;
    std::memcpy(header + at, ephemeral_public, 32), at += 32;
    std::memset(header + at, 0x5A, kNonceBytes), at += kNonceBytes;
  }

  std::vector<uint8_t> seal(const uint8_t* data, size_t size) const {
    std::vector<uint8_t> out(kHeaderBytes + size + kTagBytes);
    std::memcpy(out.data(), header, kHeaderBytes);
    out[kHeaderBytes - 4] = static_cast<uint8_t>(size >> 24);
    out[kHeaderBytes - 3] = static_cast<uint8_t>(size >> 16);
    out[kHeaderBytes - 2] = static_cast<uint8_t>(size >> 8);
    out[kHeaderBytes - 1] = static_cast<uint8_t>(size);
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    int len = 0;
    if (ctx == nullptr || EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, aead_key, header + kHeaderBytes - 4 - kNonceBytes) != 1 ||
        EVP_EncryptUpdate(ctx, nullptr, &len, out.data(), kHeaderBytes) != 1 ||
        (size > 0 && EVP_EncryptUpdate(ctx, out.data() + kHeaderBytes, &len, data, static_cast<int>(size)) != 1) ||
        EVP_EncryptFinal_ex(ctx, out.data() + kHeaderBytes + size, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes, out.data() + kHeaderBytes + size) != 1)
      abort();
    EVP_CIPHER_CTX_free(ctx);
    return out;
  }
};

void check_range(const Opened& o, Range r) {
  if (size_t{r.offset} + r.length > o.plaintext_size || o.plaintext_offset + o.plaintext_size > o.buffer.size()) abort();
}

void check_parsed(const Opened& o) {
  if (o.failure.code != Code::Ok) return;
  const Capture& c = o.capture;
  check_range(o, c.capture_id);
  check_range(o, c.content);
  check_range(o, c.sdk_key_id);
  check_range(o, c.sdk_signature);
  check_range(o, c.device_id);
  if (c.frames.empty() || c.frames.size() > kMaxFrames || c.best_frame >= c.frames.size()) abort();
  for (const Frame& f : c.frames) {
    check_range(o, f.jpeg);
    if (f.jpeg.length < kMinFrameBytes || o.plaintext()[f.jpeg.offset] != 0xFF) abort();
  }
  if (c.attestation.present) {
    check_range(o, c.attestation.statement);
    check_range(o, c.attestation.capture_id);
    check_range(o, c.attestation.signature);
  }
  if (c.motion.size() % 7 != 0 || c.touches.size() % 4 != 0) abort();
  if (c.has_session_token) {
    check_range(o, c.session_token);
    if (c.session_token.length < 1 || c.session_token.length > kMaxSessionTokenBytes) abort();
  }
  // Only a web capture with a session token opens without an SDK signature.
  if (!c.sdk_signed && (!c.has_session_token || c.sdk_platform != kWebPlatform || o.sdk_signature != SignatureFact::UnsignedWeb))
    abort();
  if (c.sdk_signed && o.sdk_signature == SignatureFact::UnsignedWeb) abort();
}

}  // namespace

// The JPEG header parser reads frame bytes that only the SDK controls: each input is also a JPEG.
// Oracles: at most kMaxQuantTables tables, 8-bit tables hold values <= 255, an ok header has a size.
void check_jpeg_header(const uint8_t* data, size_t size) {
  const JpegHeader h = parse_jpeg_header(Span{data, size});
  if (h.tables.size() > kMaxQuantTables) abort();
  for (const QuantTable& t : h.tables)
    for (uint16_t v : t.values)
      if (t.precision == 0 && v > 255) abort();
  if (h.ok && (h.width == 0 || h.height == 0 || h.components == 0)) abort();
}

// The noise statistics over the input as a plane (width from the first byte): never reads outside.
void check_planes(const uint8_t* data, size_t size) {
  if (size < 10) return;
  const uint32_t width = 3 + data[0] % 29;
  const uint32_t height = static_cast<uint32_t>((size - 1) / width);
  const Plane a{data + 1, size_t{width} * height, width, height};
  const Plane b{data + 1 + (size - 1) % width, size_t{width} * height, width, height};
  if (size_t{(size - 1) % width} + b.size > size - 1) abort();
  const PairStats stats = pair_stats(a, b, data[1]);
  if (stats.identical_share < 0 || stats.identical_share > 1 || stats.temporal_noise < 0) abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture fixture;
  check_jpeg_header(data, size);
  check_planes(data, size);
  Opened raw = open_capture(fixture.keys, Span{data, size});
  check_parsed(raw);
  if (size + kHeaderBytes + kTagBytes > kMaxCaptureBytes) return 0;
  const std::vector<uint8_t> sealed = fixture.seal(data, size);
  Opened opened = open_capture(fixture.keys, Span{sealed.data(), sealed.size()});
  if (opened.failure.code == Code::DecryptFailed || opened.failure.code == Code::UnknownServiceKey ||
      opened.failure.code == Code::Truncated || opened.failure.code == Code::LengthMismatch)
    abort();  // a correctly sealed input must always get past the envelope
  check_parsed(opened);
  return 0;
}
