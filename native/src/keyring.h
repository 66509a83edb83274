// The keys one engine owns: service X25519 private keys (several at once, for rotation), trusted
// SDK Ed25519 public keys and trusted attestation-authority Ed25519 public keys, all by key id.
// Immutable after construction, so concurrent opens may share it.
#pragma once
#include <array>
#include <vector>

#include "crypto.h"

namespace iad {

struct ServiceKey {
  KeyId id{};
  std::array<uint8_t, kX25519Bytes> public_key{};
  Pkey private_key;
};

struct TrustedKey {
  KeyId id{};
  Pkey public_key;
};

class Keyring {
 public:
  // Each returns false when the raw key is rejected by OpenSSL (wrong size or invalid point).
  bool add_service_private(const uint8_t* raw, size_t size);
  bool add_sdk_public(const uint8_t* raw, size_t size);
  bool add_attestation_public(const uint8_t* raw, size_t size);

  const ServiceKey* service(const uint8_t* id) const;
  EVP_PKEY* sdk(const uint8_t* id) const;
  EVP_PKEY* attestation(const uint8_t* id) const;

  size_t service_count() const { return service_.size(); }

 private:
  std::vector<ServiceKey> service_;
  std::vector<TrustedKey> sdk_;
  std::vector<TrustedKey> attestation_;
};

}  // namespace iad
