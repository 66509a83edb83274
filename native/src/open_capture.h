// Opening a capture: envelope -> decryption -> parsing -> integrity facts. Pure apart from
// OpenSSL calls; safe to run on any thread with a shared, immutable Keyring.
#pragma once
#include "capture.h"
#include "keyring.h"

#include <vector>

namespace iad {

// Decrypts the caller's bytes in place; the result points into them, so they must outlive it.
// On any failure after decryption began the bytes are cleansed.
Opened open_capture_in_place(const Keyring& keys, uint8_t* data, size_t size);
// Takes ownership of the capture bytes and decrypts them in place.
Opened open_capture(const Keyring& keys, std::vector<uint8_t> capture);
// Convenience for callers holding borrowed bytes (fuzzing, tests): copies, then opens.
Opened open_capture(const Keyring& keys, Span capture);

}  // namespace iad
