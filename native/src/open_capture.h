// Opening a capture: envelope -> decryption -> parsing -> integrity facts. Pure apart from
// OpenSSL calls; safe to run on any thread with a shared, immutable Keyring.
#pragma once
#include "capture.h"
#include "keyring.h"

namespace iad {

Opened open_capture(const Keyring& keys, Span capture);

}  // namespace iad
