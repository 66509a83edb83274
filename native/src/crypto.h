// Thin RAII wrappers over the OpenSSL 3 primitives format v1 uses. OpenSSL comes from Node's own
// headers and its symbols from the node binary (or libcrypto in the standalone fuzz build).
#pragma once
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "bytes.h"
#include "limits.h"

namespace iad {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

using KeyId = std::array<uint8_t, kKeyIdBytes>;
using Sha256 = std::array<uint8_t, 32>;

bool sha256(Span data, Sha256& out);
bool key_id_of(const uint8_t* raw_public, size_t size, KeyId& out);

// X25519 private key from 32 raw bytes; also yields its raw public key.
Pkey x25519_private(const uint8_t raw[kX25519Bytes], uint8_t public_out[kX25519Bytes]);
Pkey ed25519_public(const uint8_t raw[kEd25519PublicBytes]);

// X25519 agreement followed by HKDF-SHA256; false on any failure, including an all-zero secret
// (a low-order peer point).
bool derive_aead_key(EVP_PKEY* service_private, const uint8_t service_public[kX25519Bytes],
                     const uint8_t ephemeral_public[kX25519Bytes], uint8_t key_out[32]);

// AES-256-GCM open, in place: `data` holds the ciphertext and receives the plaintext. On failure
// the partial plaintext is wiped and false returned.
bool aes256gcm_open_in_place(const uint8_t key[32], const uint8_t nonce[kNonceBytes], Span aad, uint8_t* data,
                             size_t size, const uint8_t tag[kTagBytes]);

// Ed25519 verification of `context || 0x00 || message`.
bool ed25519_verify(EVP_PKEY* key, const char* context, Span message, Span signature);

}  // namespace iad
