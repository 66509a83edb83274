// Parsing of the decrypted plaintext of format v1: the signed content and the SDK signature
// record. Pure: no keys, no crypto, no allocation beyond the Capture it fills.
#pragma once
#include "bytes.h"
#include "capture.h"

namespace iad {

// `plaintext` must stay alive as long as `out` is used: ranges are offsets into it.
Failure parse_plaintext(Span plaintext, Capture& out);

bool valid_utf8(Span text);

}  // namespace iad
