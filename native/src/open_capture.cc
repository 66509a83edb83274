#include "open_capture.h"

#include <openssl/crypto.h>

#include <cstring>

#include "content.h"
#include "limits.h"

namespace iad {
namespace {

Opened failed(Code code, uint16_t tag = 0) {
  Opened out;
  out.failure = Failure{code, tag};
  return out;
}

Span at(const uint8_t* base, Range r) { return Span{base + r.offset, r.length}; }

bool same(const uint8_t* base, Range a, Range b) {
  return a.length == b.length && std::memcmp(base + a.offset, base + b.offset, a.length) == 0;
}

SignatureFact check_sdk_signature(const Keyring& keys, const uint8_t* pt, const Capture& c) {
  EVP_PKEY* key = keys.sdk(pt + c.sdk_key_id.offset);
  if (key == nullptr) return SignatureFact::UnknownKey;
  // The SDK signs a digest of the content: hashing once with SHA-256 keeps verification cheap
  // for large frames (Ed25519 would hash the whole message with SHA-512, which is slower here).
  Sha256 digest{};
  if (!sha256(at(pt, c.content), digest)) return SignatureFact::Invalid;
  const bool ok = ed25519_verify(key, kSdkSignatureContext, Span{digest.data(), digest.size()}, at(pt, c.sdk_signature));
  return ok ? SignatureFact::Valid : SignatureFact::Invalid;
}

AttestationFact check_attestation(const Keyring& keys, const uint8_t* pt, const Capture& c) {
  const Attestation& a = c.attestation;
  if (!a.present) return AttestationFact::Missing;
  EVP_PKEY* key = keys.attestation(pt + a.authority_key_id.offset);
  if (key == nullptr) return AttestationFact::UntrustedAuthority;
  if (!ed25519_verify(key, kAttestationContext, at(pt, a.statement), at(pt, a.signature))) return AttestationFact::Invalid;
  if (!same(pt, a.capture_id, c.capture_id)) return AttestationFact::OtherCapture;
  if (!same(pt, a.device_id, c.device_id)) return AttestationFact::OtherDevice;
  return AttestationFact::Valid;
}

}  // namespace

Opened open_capture(const Keyring& keys, Span capture) {
  if (capture.size > kMaxCaptureBytes) return failed(Code::TooLarge);
  return open_capture(keys, std::vector<uint8_t>(capture.data, capture.data + capture.size));
}

Opened open_capture(const Keyring& keys, std::vector<uint8_t> capture) {
  if (capture.size() > kMaxCaptureBytes) return failed(Code::TooLarge);
  Reader r(capture.data(), capture.size());
  Span magic, key_id, ephemeral, nonce;
  uint8_t version = 0, suite = 0;
  uint32_t ciphertext_len = 0;
  if (!r.bytes(sizeof kMagic, magic)) return failed(Code::Truncated);
  if (std::memcmp(magic.data, kMagic, sizeof kMagic) != 0) return failed(Code::BadMagic);
  if (!r.u8(version)) return failed(Code::Truncated);
  if (version != kEnvelopeVersion) return failed(Code::UnsupportedVersion);
  if (!r.u8(suite)) return failed(Code::Truncated);
  if (suite != kSuiteX25519HkdfSha256Aes256Gcm) return failed(Code::UnsupportedSuite);
  if (!r.bytes(kKeyIdBytes, key_id) || !r.bytes(kX25519Bytes, ephemeral) || !r.bytes(kNonceBytes, nonce) ||
      !r.u32(ciphertext_len))
    return failed(Code::Truncated);
  if (r.remaining() != size_t{ciphertext_len} + kTagBytes)
    return failed(r.remaining() < size_t{ciphertext_len} + kTagBytes ? Code::Truncated : Code::LengthMismatch);

  const ServiceKey* service = keys.service(key_id.data);
  if (service == nullptr) return failed(Code::UnknownServiceKey);

  uint8_t aead_key[32];
  if (!derive_aead_key(service->private_key.get(), service->public_key.data(), ephemeral.data, aead_key))
    return failed(Code::DecryptFailed);
  uint8_t* ciphertext = capture.data() + kHeaderBytes;
  const bool opened = aes256gcm_open_in_place(aead_key, nonce.data, Span{capture.data(), kHeaderBytes}, ciphertext,
                                              ciphertext_len, ciphertext + ciphertext_len);
  OPENSSL_cleanse(aead_key, sizeof aead_key);
  if (!opened) return failed(Code::DecryptFailed);

  Opened out;
  out.buffer = std::move(capture);
  out.plaintext_offset = kHeaderBytes;
  out.plaintext_size = ciphertext_len;
  const uint8_t* pt = out.plaintext();
  out.failure = parse_plaintext(Span{pt, out.plaintext_size}, out.capture);
  if (out.failure.code != Code::Ok) {
    OPENSSL_cleanse(out.buffer.data(), out.buffer.size());
    out.buffer.clear();
    return out;
  }
  out.sdk_signature =
      out.capture.sdk_signed ? check_sdk_signature(keys, pt, out.capture) : SignatureFact::UnsignedWeb;
  out.attestation = check_attestation(keys, pt, out.capture);
  return out;
}

const char* code_name(Code code) {
  switch (code) {
    case Code::Ok: return "OK";
    case Code::TooLarge: return "TOO_LARGE";
    case Code::Truncated: return "TRUNCATED";
    case Code::BadMagic: return "BAD_MAGIC";
    case Code::UnsupportedVersion: return "UNSUPPORTED_VERSION";
    case Code::UnsupportedSuite: return "UNSUPPORTED_SUITE";
    case Code::LengthMismatch: return "LENGTH_MISMATCH";
    case Code::UnknownServiceKey: return "UNKNOWN_SERVICE_KEY";
    case Code::DecryptFailed: return "DECRYPT_FAILED";
    case Code::MalformedTlv: return "MALFORMED_TLV";
    case Code::MissingField: return "MISSING_FIELD";
    case Code::DuplicateField: return "DUPLICATE_FIELD";
    case Code::UnknownField: return "UNKNOWN_FIELD";
    case Code::FieldSize: return "FIELD_SIZE";
    case Code::LimitExceeded: return "LIMIT_EXCEEDED";
    case Code::BadValue: return "BAD_VALUE";
    case Code::UnsupportedFormatVersion: return "UNSUPPORTED_FORMAT_VERSION";
  }
  return "UNKNOWN";
}

}  // namespace iad
