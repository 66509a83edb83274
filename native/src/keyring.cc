#include "keyring.h"

#include <cstring>

namespace iad {
namespace {

bool add_trusted(std::vector<TrustedKey>& keys, const uint8_t* raw, size_t size) {
  if (size != kEd25519PublicBytes) return false;
  TrustedKey key;
  key.public_key = ed25519_public(raw);
  if (!key.public_key || !key_id_of(raw, size, key.id)) return false;
  keys.push_back(std::move(key));
  return true;
}

EVP_PKEY* find_trusted(const std::vector<TrustedKey>& keys, const uint8_t* id) {
  for (const auto& key : keys)
    if (std::memcmp(key.id.data(), id, kKeyIdBytes) == 0) return key.public_key.get();
  return nullptr;
}

}  // namespace

bool Keyring::add_service_private(const uint8_t* raw, size_t size) {
  if (size != kX25519Bytes) return false;
  ServiceKey key;
  key.private_key = x25519_private(raw, key.public_key.data());
  if (!key.private_key || !key_id_of(key.public_key.data(), key.public_key.size(), key.id)) return false;
  service_.push_back(std::move(key));
  return true;
}

bool Keyring::add_sdk_public(const uint8_t* raw, size_t size) { return add_trusted(sdk_, raw, size); }
bool Keyring::add_attestation_public(const uint8_t* raw, size_t size) { return add_trusted(attestation_, raw, size); }

const ServiceKey* Keyring::service(const uint8_t* id) const {
  for (const auto& key : service_)
    if (std::memcmp(key.id.data(), id, kKeyIdBytes) == 0) return &key;
  return nullptr;
}

EVP_PKEY* Keyring::sdk(const uint8_t* id) const { return find_trusted(sdk_, id); }
EVP_PKEY* Keyring::attestation(const uint8_t* id) const { return find_trusted(attestation_, id); }

}  // namespace iad
