"""Capture format v1 (docs/capture-format.md), written from the specification alone.

An encoder for the captures that the IAD service's /liveness/evaluate and /extract accept:
TLV content signed with Ed25519, sealed with X25519 + HKDF-SHA256 + AES-256-GCM.
Needs only Debian's python3-cryptography.
"""
from __future__ import annotations

import hashlib
import math
import os
import struct
from dataclasses import dataclass, field
from typing import Optional, Sequence

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"IADC"
ENVELOPE_VERSION = 1
SUITE_X25519_HKDF_SHA256_AES256GCM = 1
FORMAT_VERSION = 1
HKDF_INFO = b"IADC-v1 X25519-HKDF-SHA256-AES256GCM"
SDK_SIGNATURE_CONTEXT = b"IADC-v1-sdk-signature"
ATTESTATION_CONTEXT = b"IADC-v1-attestation"

# Plaintext and content tags (the tables of the specification).
CONTENT, SDK_SIGNATURE = 0x7001, 0x7002
(FORMAT_VERSION_TAG, CAPTURE_ID, CREATED_AT, SDK, CAMERA, FRAME, BEST_FRAME, FACE_SCORE,
 ENVIRONMENT, DEVICE, ATTESTATION, ACTIVITY) = range(0x0001, 0x000D)

# ENVIRONMENT flags: the tag of each is its position + 1.
ENVIRONMENT_FLAGS = ("emulator", "rooted", "hookingFramework", "debuggerAttached",
                     "virtualCamera", "appRepackaged", "remoteControl")

MAX_FRAMES = 16
MAX_FRAME_BYTES = 4 * 1024 * 1024
MAX_CAPTURE_BYTES = 16 * 1024 * 1024
MAX_MOTION_SAMPLES = 8192
MAX_TOUCHES = 1024


class CaptureError(ValueError):
    """The draft cannot become a valid capture (it breaks a limit of the format)."""


# --- TLV: tag u16, length u32, value; big-endian -------------------------------------------

def tlv(tag: int, value: bytes) -> bytes:
    return struct.pack(">HI", tag, len(value)) + value


def tlvs(tag: int, *records: bytes) -> bytes:
    return tlv(tag, b"".join(records))


def u8(v: int) -> bytes:
    return struct.pack(">B", v)


def u16(v: int) -> bytes:
    return struct.pack(">H", v)


def u32(v: int) -> bytes:
    return struct.pack(">I", v)


def u64(v: int) -> bytes:
    return struct.pack(">Q", v)


def utf8(s: str) -> bytes:
    return s.encode("utf-8")  # refuses lone surrogates, as the format does


def round_half_up(x: float) -> int:
    # The format's integer encodings round halves up; Python's round() would round them to even.
    return math.floor(x + 0.5)


def packed(rows: Sequence[Sequence[float]], width: int) -> bytes:
    """Rows of a u32 time in ms followed by width-1 float32 values."""
    out = bytearray()
    for row in rows:
        if len(row) != width:
            raise CaptureError(f"a row of {len(row)} values, expected {width}")
        if not all(math.isfinite(v) for v in row):
            raise CaptureError("sample values must be finite")
        t = round_half_up(row[0])
        if not 0 <= t <= 0xFFFFFFFF:
            raise CaptureError(f"sample time {row[0]} ms is not a u32")
        out += u32(t)
        out += struct.pack(f">{width - 1}f", *row[1:])  # OverflowError beyond float32's range
    return bytes(out)


# --- Keys -----------------------------------------------------------------------------------

def raw_public(key) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key) -> bytes:
    """First 8 bytes of SHA-256 over the raw 32-byte public key."""
    return hashlib.sha256(raw_public(public_key)).digest()[:8]


@dataclass(frozen=True)
class Keys:
    service: X25519PublicKey
    sdk: Ed25519PrivateKey
    attestation: Ed25519PrivateKey

    @staticmethod
    def load(keys_dir: str) -> "Keys":
        """A keys directory as `iad-capture keygen` writes it (PEM: SPKI public, PKCS#8 private)."""
        def read(name: str) -> bytes:
            with open(os.path.join(keys_dir, name), "rb") as f:
                return f.read()
        service = serialization.load_pem_public_key(read("service.pub"))
        sdk = serialization.load_pem_private_key(read("sdk.key"), password=None)
        attestation = serialization.load_pem_private_key(read("attestation.key"), password=None)
        if not isinstance(service, X25519PublicKey):
            raise CaptureError("service.pub is not an X25519 public key")
        if not isinstance(sdk, Ed25519PrivateKey) or not isinstance(attestation, Ed25519PrivateKey):
            raise CaptureError("sdk.key and attestation.key must be Ed25519 private keys")
        return Keys(service, sdk, attestation)


# --- The draft: everything a capture carries ------------------------------------------------

@dataclass
class Frame:
    jpeg: bytes
    offset_ms: int


@dataclass
class Draft:
    capture_id: bytes
    created_at: int  # ms since the Unix epoch
    frames: list[Frame]
    best_frame: int
    face_score: float  # 0..1
    sdk: dict  # name, version, platform
    camera: dict  # name, width, height, fps
    device: dict  # id (bytes), manufacturer, model, os, osVersion
    environment: dict = field(default_factory=dict)  # flag name -> bool
    motion: list = field(default_factory=list)  # [t, ax, ay, az, gx, gy, gz]
    touches: list = field(default_factory=list)  # [t, x, y, pressure]
    # Integrity attacks for testing services; "genuine" in a real SDK.
    sdk_signature: str = "genuine"  # genuine | forged | untrusted-key
    attestation: str = "genuine"  # genuine | missing | forged | other-capture | other-device | untrusted-authority


def check(d: Draft) -> None:
    if not 1 <= len(d.frames) <= MAX_FRAMES:
        raise CaptureError(f"1..{MAX_FRAMES} frames, got {len(d.frames)}")
    for i, frame in enumerate(d.frames):
        if len(frame.jpeg) < 4 or frame.jpeg[:3] != b"\xff\xd8\xff":
            raise CaptureError(f"frame {i} is not a JPEG")
        if len(frame.jpeg) > MAX_FRAME_BYTES:
            raise CaptureError(f"frame {i} is larger than 4 MiB")
    if not 0 <= d.best_frame < len(d.frames):
        raise CaptureError(f"best frame {d.best_frame} of {len(d.frames)}")
    if not 16 <= len(d.capture_id) <= 64:
        raise CaptureError("the capture id is 16..64 bytes")
    if not 1 <= len(d.device["id"]) <= 128:
        raise CaptureError("the device id is 1..128 bytes")
    if not 0 <= d.created_at <= 2**53 - 1:
        raise CaptureError("created_at is ms since the epoch")
    if not 0.0 <= d.face_score <= 1.0:
        raise CaptureError("face score is 0..1")
    if len(d.motion) > MAX_MOTION_SAMPLES or len(d.touches) > MAX_TOUCHES:
        raise CaptureError("too many motion samples or touches")


def with_context(context: bytes, message: bytes) -> bytes:
    return context + b"\x00" + message


def attestation_record(d: Draft, authority: Ed25519PrivateKey) -> bytes:
    if d.attestation == "missing":
        return b""
    capture_id = os.urandom(len(d.capture_id)) if d.attestation == "other-capture" else d.capture_id
    device_id = os.urandom(16) if d.attestation == "other-device" else d.device["id"]
    statement = tlv(1, capture_id) + tlv(2, device_id) + tlv(3, u64(d.created_at))
    signer = Ed25519PrivateKey.generate() if d.attestation == "untrusted-authority" else authority
    signature = os.urandom(64) if d.attestation == "forged" else signer.sign(with_context(ATTESTATION_CONTEXT, statement))
    return tlvs(ATTESTATION, tlv(1, statement), tlv(2, key_id(signer.public_key())), tlv(3, signature))


def content(d: Draft, authority: Ed25519PrivateKey) -> bytes:
    """The CONTENT value, records in the order of the specification's table."""
    return b"".join([
        tlv(FORMAT_VERSION_TAG, u16(FORMAT_VERSION)),
        tlv(CAPTURE_ID, d.capture_id),
        tlv(CREATED_AT, u64(d.created_at)),
        tlvs(SDK, tlv(1, utf8(d.sdk["name"])), tlv(2, utf8(d.sdk["version"])), tlv(3, utf8(d.sdk["platform"]))),
        tlvs(CAMERA,
             tlv(1, utf8(d.camera["name"])),
             tlv(2, u16(d.camera["width"])),
             tlv(3, u16(d.camera["height"])),
             tlv(4, u32(round_half_up(d.camera["fps"] * 1000)))),
        *(tlvs(FRAME, tlv(1, u32(f.offset_ms)), tlv(2, f.jpeg)) for f in d.frames),
        tlv(BEST_FRAME, u16(d.best_frame)),
        tlv(FACE_SCORE, u16(round_half_up(d.face_score * 10000))),
        tlvs(ENVIRONMENT, *(tlv(i + 1, u8(1 if d.environment.get(name, False) else 0))
                            for i, name in enumerate(ENVIRONMENT_FLAGS))),
        tlvs(DEVICE,
             tlv(1, d.device["id"]),
             *(tlv(tag, utf8(d.device.get(name, ""))) for tag, name in
               ((2, "manufacturer"), (3, "model"), (4, "os"), (5, "osVersion")))),
        attestation_record(d, authority),
        tlvs(ACTIVITY, tlv(1, packed(d.motion, 7)), tlv(2, packed(d.touches, 4))),
    ])


def plaintext(d: Draft, keys: Keys) -> bytes:
    """TLV(CONTENT) || TLV(SDK_SIGNATURE): the SDK signs SHA-256 of the content value."""
    check(d)
    body = content(d, keys.attestation)
    signer = Ed25519PrivateKey.generate() if d.sdk_signature == "untrusted-key" else keys.sdk
    digest = hashlib.sha256(body).digest()
    signature = os.urandom(64) if d.sdk_signature == "forged" else signer.sign(with_context(SDK_SIGNATURE_CONTEXT, digest))
    return tlv(CONTENT, body) + tlv(SDK_SIGNATURE, key_id(signer.public_key()) + signature)


def seal(message: bytes, service: X25519PublicKey,
         ephemeral_private: Optional[bytes] = None, nonce: Optional[bytes] = None) -> bytes:
    """The envelope. `ephemeral_private` and `nonce` are for test vectors only: leave them out."""
    ephemeral = X25519PrivateKey.from_private_bytes(ephemeral_private) if ephemeral_private else X25519PrivateKey.generate()
    nonce = nonce if nonce is not None else os.urandom(12)
    if len(nonce) != 12:
        raise CaptureError("the nonce is 12 bytes")
    shared = ephemeral.exchange(service)
    if shared == bytes(32):
        raise CaptureError("X25519 produced the all-zero secret")
    ephemeral_public = raw_public(ephemeral.public_key())
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral_public + raw_public(service),
               info=HKDF_INFO).derive(shared)
    header = (MAGIC + u8(ENVELOPE_VERSION) + u8(SUITE_X25519_HKDF_SHA256_AES256GCM) + key_id(service)
              + ephemeral_public + nonce + u32(len(message)))
    sealed = AESGCM(key).encrypt(nonce, message, header)  # ciphertext || 16-byte tag
    capture = header + sealed
    if len(capture) > MAX_CAPTURE_BYTES:
        raise CaptureError("a capture is at most 16 MiB")
    return capture


def encode(d: Draft, keys: Keys, ephemeral_private: Optional[bytes] = None, nonce: Optional[bytes] = None) -> bytes:
    return seal(plaintext(d, keys), keys.service, ephemeral_private, nonce)
