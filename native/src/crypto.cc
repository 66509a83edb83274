#include "crypto.h"

#include <openssl/crypto.h>
#include <openssl/kdf.h>

#include <cstring>

namespace iad {
namespace {

struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// Messages to verify are small (a prefix plus a digest or a <= 1 KiB statement).
constexpr size_t kMaxSignedMessage = 64 + kMaxStatementBytes;

}  // namespace

bool sha256(Span data, Sha256& out) {
  unsigned int len = 0;
  return EVP_Digest(data.data, data.size, out.data(), &len, EVP_sha256(), nullptr) == 1 && len == out.size();
}

bool key_id_of(const uint8_t* raw_public, size_t size, KeyId& out) {
  Sha256 digest{};
  if (!sha256(Span{raw_public, size}, digest)) return false;
  std::memcpy(out.data(), digest.data(), out.size());
  return true;
}

Pkey x25519_private(const uint8_t raw[kX25519Bytes], uint8_t public_out[kX25519Bytes]) {
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, raw, kX25519Bytes));
  if (!key) return nullptr;
  size_t len = kX25519Bytes;
  if (EVP_PKEY_get_raw_public_key(key.get(), public_out, &len) != 1 || len != kX25519Bytes) return nullptr;
  return key;
}

Pkey ed25519_public(const uint8_t raw[kEd25519PublicBytes]) {
  return Pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw, kEd25519PublicBytes));
}

bool derive_aead_key(EVP_PKEY* service_private, const uint8_t service_public[kX25519Bytes],
                     const uint8_t ephemeral_public[kX25519Bytes], uint8_t key_out[32]) {
  Pkey peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, ephemeral_public, kX25519Bytes));
  if (!peer) return false;
  PkeyCtx ctx(EVP_PKEY_CTX_new(service_private, nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1) return false;
  uint8_t shared[kX25519Bytes];
  size_t shared_len = sizeof shared;
  if (EVP_PKEY_derive(ctx.get(), shared, &shared_len) != 1 || shared_len != sizeof shared) return false;
  uint8_t zero_check = 0;
  for (uint8_t b : shared) zero_check |= b;
  if (zero_check == 0) return false;

  uint8_t salt[2 * kX25519Bytes];
  std::memcpy(salt, ephemeral_public, kX25519Bytes);
  std::memcpy(salt + kX25519Bytes, service_public, kX25519Bytes);
  PkeyCtx hkdf(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
  size_t out_len = 32;
  bool ok = hkdf && EVP_PKEY_derive_init(hkdf.get()) == 1 && EVP_PKEY_CTX_set_hkdf_md(hkdf.get(), EVP_sha256()) == 1 &&
            EVP_PKEY_CTX_set1_hkdf_salt(hkdf.get(), salt, sizeof salt) == 1 &&
            EVP_PKEY_CTX_set1_hkdf_key(hkdf.get(), shared, sizeof shared) == 1 &&
            EVP_PKEY_CTX_add1_hkdf_info(hkdf.get(), reinterpret_cast<const unsigned char*>(kHkdfInfo),
                                        sizeof kHkdfInfo - 1) == 1 &&
            EVP_PKEY_derive(hkdf.get(), key_out, &out_len) == 1 && out_len == 32;
  OPENSSL_cleanse(shared, sizeof shared);
  return ok;
}

bool aes256gcm_open_in_place(const uint8_t key[32], const uint8_t nonce[kNonceBytes], Span aad, uint8_t* data,
                             size_t size, const uint8_t tag[kTagBytes]) {
  if (size > static_cast<size_t>(INT32_MAX) || aad.size > static_cast<size_t>(INT32_MAX)) return false;
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, nonce) != 1) return false;
  int len = 0;
  if (EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data, static_cast<int>(aad.size)) != 1) return false;
  // OpenSSL allows exactly overlapping input and output.
  if (size > 0 && (EVP_DecryptUpdate(ctx.get(), data, &len, data, static_cast<int>(size)) != 1 ||
                   static_cast<size_t>(len) != size))
    return false;
  uint8_t tag_copy[kTagBytes];
  std::memcpy(tag_copy, tag, kTagBytes);
  int final_len = 0;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag_copy) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), data + size, &final_len) != 1) {
    OPENSSL_cleanse(data, size);
    return false;
  }
  return true;
}

bool ed25519_verify(EVP_PKEY* key, const char* context, Span message, Span signature) {
  if (signature.size != kEd25519SignatureBytes) return false;
  const size_t context_len = std::strlen(context);
  if (message.size > kMaxSignedMessage) return false;
  uint8_t buffer[64 + 1 + kMaxSignedMessage];
  if (context_len > 64) return false;
  std::memcpy(buffer, context, context_len);
  buffer[context_len] = 0;
  if (message.size > 0) std::memcpy(buffer + context_len + 1, message.data, message.size);
  MdCtx ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), signature.data, signature.size, buffer, context_len + 1 + message.size) == 1;
}

}  // namespace iad
