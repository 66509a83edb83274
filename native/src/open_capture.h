// Opening a capture: envelope -> decryption -> parsing -> integrity facts. Pure apart from
// OpenSSL calls; safe to run on any thread with a shared, immutable Keyring.
#pragma once
#include "capture.h"
#include "keyring.h"

#include <vector>

namespace iad {

// Takes ownership of the capture bytes and decrypts them in place.
Opened open_capture(const Keyring& keys, std::vector<uint8_t> capture);
// Convenience for callers holding borrowed bytes (fuzzing, tests): copies, then opens.
Opened open_capture(const Keyring& keys, Span capture);

}  // namespace iad
