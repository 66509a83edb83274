// Node binding: `new Engine({ service, sdk, attestation })` with raw 32-byte keys, and
// `engine.open(bytes)`, which runs on a libuv worker and resolves to a typed result object.
// `forensics({ jpegs, planes, flatLimit })` (stateless) reads JPEG headers and noise statistics on
// a libuv worker too, and `decodeJpegScaled(jpeg, scale, target)` decodes a frame at 1/2, 1/4 or
// 1/8 scale there (into `target` when it is large enough, sparing an allocation per frame).
// No exceptions cross the boundary: failures are `{ ok: false, code, codeName, tag }`.
#include <cmath>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <napi.h>
#include <v8.h>

#include <memory>

#include "forensics.h"
#include "jpeg_scaled.h"
#include "limits.h"
#include "open_capture.h"
#include "scene.h"
#include "warp.h"

namespace {


using iad::AttestationFact;
using iad::Code;
using iad::SignatureFact;

const char* kEnvironmentNames[iad::kEnvironmentSignalCount] = {
    "emulator", "rooted", "hookingFramework", "debuggerAttached", "virtualCamera", "appRepackaged", "remoteControl"};

const char* signature_name(SignatureFact f) {
  switch (f) {
    case SignatureFact::Valid: return "valid";
    case SignatureFact::Invalid: return "invalid";
    case SignatureFact::UnknownKey: return "unknown-key";
    case SignatureFact::UnsignedWeb: return "unsigned-web";
  }
  return "invalid";
}

const char* attestation_name(AttestationFact f) {
  switch (f) {
    case AttestationFact::Valid: return "valid";
    case AttestationFact::Invalid: return "invalid";
    case AttestationFact::Missing: return "missing";
    case AttestationFact::OtherCapture: return "other-capture";
    case AttestationFact::OtherDevice: return "other-device";
    case AttestationFact::UntrustedAuthority: return "untrusted-authority";
  }
  return "invalid";
}

std::string hex(const uint8_t* data, size_t size) {
  static const char digits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 15];
  }
  return out;
}

Napi::Float32Array floats(Napi::Env env, const std::vector<float>& values) {
  auto array = Napi::Float32Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) array[i] = values[i];
  return array;
}

Napi::Object failure_object(Napi::Env env, iad::Failure failure) {
  auto out = Napi::Object::New(env);
  out.Set("ok", false);
  out.Set("code", static_cast<uint32_t>(failure.code));
  out.Set("codeName", iad::code_name(failure.code));
  out.Set("tag", failure.tag);
  return out;
}

// Builds the JS result; frames are Uint8Array views over one external ArrayBuffer that owns the
// decrypted capture, so the JPEG bytes are never copied.
Napi::Object success_object(Napi::Env env, std::unique_ptr<iad::Opened> opened) {
  const iad::Capture& c = opened->capture;
  const size_t plaintext_offset = opened->plaintext_offset;
  auto owned_buffer = std::make_unique<std::vector<uint8_t>>(std::move(opened->buffer));
  const uint8_t* base = owned_buffer->data() + plaintext_offset;
  auto text = [&](iad::Range r) { return hex(base + r.offset, r.length); };

  auto capture = Napi::Object::New(env);
  capture.Set("formatVersion", c.format_version);
  capture.Set("captureId", text(c.capture_id));
  capture.Set("createdAt", static_cast<double>(c.created_at_ms));
  auto sdk = Napi::Object::New(env);
  sdk.Set("name", c.sdk_name);
  sdk.Set("version", c.sdk_version);
  sdk.Set("platform", c.sdk_platform);
  capture.Set("sdk", sdk);
  auto camera = Napi::Object::New(env);
  camera.Set("name", c.camera_name);
  camera.Set("width", c.camera_width);
  camera.Set("height", c.camera_height);
  camera.Set("fps", c.camera_fps_milli / 1000.0);
  capture.Set("camera", camera);
  auto environment = Napi::Object::New(env);
  for (size_t i = 0; i < iad::kEnvironmentSignalCount; ++i) environment.Set(kEnvironmentNames[i], c.environment[i]);
  capture.Set("environment", environment);
  auto device = Napi::Object::New(env);
  device.Set("id", text(c.device_id));
  device.Set("manufacturer", c.device_manufacturer);
  device.Set("model", c.device_model);
  device.Set("os", c.device_os);
  device.Set("osVersion", c.device_os_version);
  capture.Set("device", device);
  if (c.attestation.present) {
    auto attestation = Napi::Object::New(env);
    attestation.Set("captureId", text(c.attestation.capture_id));
    attestation.Set("deviceId", text(c.attestation.device_id));
    attestation.Set("issuedAt", static_cast<double>(c.attestation.issued_at_ms));
    attestation.Set("authorityKeyId", text(c.attestation.authority_key_id));
    capture.Set("attestation", attestation);
  }
  auto activity = Napi::Object::New(env);
  activity.Set("motion", floats(env, c.motion));
  activity.Set("touches", floats(env, c.touches));
  capture.Set("activity", activity);
  if (c.has_session_token) capture.Set("sessionToken", text(c.session_token));
  capture.Set("bestFrame", c.best_frame);
  capture.Set("faceScore", c.face_score / 10000.0);

  auto integrity = Napi::Object::New(env);
  integrity.Set("sdkSignature", signature_name(opened->sdk_signature));
  integrity.Set("sdkKeyId", text(c.sdk_key_id));
  integrity.Set("attestation", attestation_name(opened->attestation));

  const size_t size = owned_buffer->size();
  std::vector<uint8_t>* owned = owned_buffer.release();
  auto buffer = Napi::ArrayBuffer::New(env, owned->data(), size,
                                       [](Napi::Env, void*, std::vector<uint8_t>* data) { delete data; }, owned);
  auto frames = Napi::Array::New(env, c.frames.size());
  for (size_t i = 0; i < c.frames.size(); ++i) {
    auto frame = Napi::Object::New(env);
    frame.Set("offsetMs", c.frames[i].offset_ms);
    frame.Set("jpeg", Napi::Uint8Array::New(env, c.frames[i].jpeg.length, buffer,
                                                    plaintext_offset + c.frames[i].jpeg.offset));
    frames[i] = frame;
  }
  capture.Set("frames", frames);

  auto out = Napi::Object::New(env);
  out.Set("ok", true);
  out.Set("capture", capture);
  out.Set("integrity", integrity);
  return out;
}

class OpenWorker : public Napi::AsyncWorker {
 public:
  OpenWorker(Napi::Env env, std::shared_ptr<const iad::Keyring> keys, const uint8_t* data, size_t size)
      : Napi::AsyncWorker(env, "iad.open"), deferred_(Napi::Promise::Deferred::New(env)), keys_(std::move(keys)),
        // Copied: the caller may reuse or detach its buffer while the worker runs.
        input_(data, data + size) {}

  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    opened_ = std::make_unique<iad::Opened>(iad::open_capture(*keys_, std::move(input_)));
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (opened_->failure.code != Code::Ok) {
      deferred_.Resolve(failure_object(env, opened_->failure));
      return;
    }
    deferred_.Resolve(success_object(env, std::move(opened_)));
  }


 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<const iad::Keyring> keys_;
  std::vector<uint8_t> input_;
  std::unique_ptr<iad::Opened> opened_;
};

// The caller's frames and planes are read in place on the worker (a copy of ~1 MB a capture on the
// main thread cost more than the statistics): references keep them alive, and the caller does not
// write or detach them until the promise settles (NativeAddon.ts says so). The service calls this
// from its main thread only, whose isolate outlives any work it queued.
class ForensicsWorker : public Napi::AsyncWorker {
 public:
  struct PlaneView {
    Napi::Reference<Napi::Uint8Array> ref;
    const uint8_t* data = nullptr;
    size_t size = 0;
    uint32_t width = 0, height = 0;
    // 3: packed RGB as the scaled decoder writes it, turned into luma on the worker (Execute).
    uint32_t channels = 1;
  };
  struct JpegView {
    Napi::Reference<Napi::Uint8Array> ref;
    iad::Span bytes;
  };

  ForensicsWorker(Napi::Env env, std::vector<JpegView> jpegs, std::vector<PlaneView> planes, int flat_limit)
      : Napi::AsyncWorker(env, "iad.forensics"), deferred_(Napi::Promise::Deferred::New(env)),
        jpegs_(std::move(jpegs)), planes_(std::move(planes)), flat_limit_(flat_limit) {}

  Napi::Promise promise() { return deferred_.Promise(); }

  // BT.601 luma rounded half up, the same arithmetic as the JavaScript that did this before
  // (Math.round(0.299 r + 0.587 g + 0.114 b)), so the statistics do not move.
  static std::vector<uint8_t> luma_of(const PlaneView& plane) {
    const size_t pixels = size_t{plane.width} * plane.height;
    std::vector<uint8_t> grey(pixels);
    const uint8_t* rgb = plane.data;
    for (size_t i = 0; i < pixels; ++i, rgb += 3)
      // Truncation is floor for these non-negative sums (std::floor is a libm call per pixel).
      grey[i] = static_cast<uint8_t>(static_cast<int>(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] + 0.5));
    return grey;
  }

  void Execute() override {
    for (const auto& jpeg : jpegs_) headers_.push_back(iad::parse_jpeg_header(jpeg.bytes));
    std::vector<std::vector<uint8_t>> greys(planes_.size());
    std::vector<iad::Plane> views(planes_.size());
    for (size_t i = 0; i < planes_.size(); ++i) {
      const PlaneView& plane = planes_[i];
      if (plane.channels == 3) {
        greys[i] = luma_of(plane);
        views[i] = iad::Plane{greys[i].data(), greys[i].size(), plane.width, plane.height};
      } else {
        views[i] = iad::Plane{plane.data, plane.size, plane.width, plane.height};
      }
    }
    std::vector<std::vector<int16_t>> laplacians(views.size());
    for (size_t i = 0; i < views.size(); ++i) laplacians[i] = iad::laplacian_of(views[i]);
    for (size_t i = 1; i < views.size(); ++i)
      pairs_.push_back(iad::pair_stats(views[i - 1], views[i], laplacians[i - 1], laplacians[i], flat_limit_));
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    auto headers = Napi::Array::New(env, headers_.size());
    for (size_t i = 0; i < headers_.size(); ++i) {
      const iad::JpegHeader& h = headers_[i];
      auto header = Napi::Object::New(env);
      header.Set("ok", h.ok);
      header.Set("width", h.width);
      header.Set("height", h.height);
      header.Set("components", h.components);
      header.Set("sof", h.sof);
      auto tables = Napi::Array::New(env, h.tables.size());
      for (size_t t = 0; t < h.tables.size(); ++t) {
        auto table = Napi::Object::New(env);
        table.Set("id", h.tables[t].id);
        table.Set("precision", h.tables[t].precision);
        auto values = Napi::Array::New(env, 64);
        for (uint32_t k = 0; k < 64; ++k) values[k] = Napi::Number::New(env, h.tables[t].values[k]);
        table.Set("values", values);
        tables[t] = table;
      }
      header.Set("tables", tables);
      headers[i] = header;
    }
    auto pairs = Napi::Array::New(env, pairs_.size());
    for (size_t i = 0; i < pairs_.size(); ++i) {
      auto pair = Napi::Object::New(env);
      pair.Set("comparable", pairs_[i].comparable);
      pair.Set("temporalNoise", pairs_[i].temporal_noise);
      pair.Set("identicalShare", pairs_[i].identical_share);
      pairs[i] = pair;
    }
    auto out = Napi::Object::New(env);
    out.Set("headers", headers);
    out.Set("pairs", pairs);
    deferred_.Resolve(out);
  }


 private:
  Napi::Promise::Deferred deferred_;
  std::vector<JpegView> jpegs_;
  std::vector<PlaneView> planes_;
  int flat_limit_;
  std::vector<iad::JpegHeader> headers_;
  std::vector<iad::PairStats> pairs_;
};

bool is_typed_array_of(const Napi::Value& v, napi_typedarray_type type) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == type;
}

bool is_uint8_array(const Napi::Value& v) { return is_typed_array_of(v, napi_uint8_array); }

// What a binding function returns for arguments that do not fit: a pending TypeError named after
// the function (no C++ exceptions cross the boundary) and undefined.
auto type_error(Napi::Env env, const char* function) {
  return [env, function](const char* why) {
    Napi::TypeError::New(env, std::string(function) + ": " + why).ThrowAsJavaScriptException();
    return env.Undefined();
  };
}

Napi::Value Forensics(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto fail = type_error(env, "forensics");
  if (info.Length() != 1 || !info[0].IsObject()) return fail("expects { jpegs, planes, flatLimit }");
  const Napi::Object spec = info[0].As<Napi::Object>();
  const Napi::Value jpegs_value = spec.Get("jpegs");
  const Napi::Value planes_value = spec.Get("planes");
  const Napi::Value limit_value = spec.Get("flatLimit");
  if (env.IsExceptionPending()) return env.Undefined();
  if (!jpegs_value.IsArray() || !planes_value.IsArray() || !limit_value.IsNumber())
    return fail("expects { jpegs: Uint8Array[], planes: {data,width,height}[], flatLimit: number }");
  const Napi::Array jpeg_list = jpegs_value.As<Napi::Array>();
  const Napi::Array plane_list = planes_value.As<Napi::Array>();
  if (jpeg_list.Length() > iad::kMaxFrames || plane_list.Length() > iad::kMaxFrames) return fail("too many frames");
  const double limit = limit_value.As<Napi::Number>().DoubleValue();
  if (!(limit >= 0 && limit <= 4 * 255 * 4)) return fail("flatLimit out of range");
  std::vector<ForensicsWorker::JpegView> jpegs;
  for (uint32_t i = 0; i < jpeg_list.Length(); ++i) {
    const Napi::Value item = jpeg_list.Get(i);
    if (!is_uint8_array(item)) return fail("jpegs entries must be Uint8Array");
    const auto bytes = item.As<Napi::Uint8Array>();
    if (bytes.ByteLength() > iad::kMaxFrameBytes) return fail("jpeg larger than a frame may be");
    jpegs.push_back(ForensicsWorker::JpegView{Napi::Persistent(bytes), iad::Span{bytes.Data(), bytes.ByteLength()}});
  }
  std::vector<ForensicsWorker::PlaneView> planes;
  for (uint32_t i = 0; i < plane_list.Length(); ++i) {
    const Napi::Value item = plane_list.Get(i);
    if (!item.IsObject()) return fail("planes entries must be objects");
    const Napi::Object plane = item.As<Napi::Object>();
    const Napi::Value data = plane.Get("data");
    const Napi::Value width = plane.Get("width");
    const Napi::Value height = plane.Get("height");
    const Napi::Value channels = plane.Get("channels");
    if (env.IsExceptionPending()) return env.Undefined();
    if (!is_uint8_array(data) || !width.IsNumber() || !height.IsNumber()) return fail("plane needs data, width, height");
    if (!channels.IsUndefined() && !channels.IsNumber()) return fail("plane channels must be 1 or 3");
    const int64_t w = width.As<Napi::Number>().Int64Value();
    const int64_t h = height.As<Napi::Number>().Int64Value();
    const int64_t c = channels.IsUndefined() ? 1 : channels.As<Napi::Number>().Int64Value();
    if (c != 1 && c != 3) return fail("plane channels must be 1 or 3");
    const auto bytes = data.As<Napi::Uint8Array>();
    if (w < 3 || h < 3 || w > iad::kMaxImageSide || h > iad::kMaxImageSide ||
        size_t(w) * size_t(h) * size_t(c) != bytes.ByteLength())
      return fail("plane size does not match width * height * channels (each side 3..16384)");
    ForensicsWorker::PlaneView view;
    view.ref = Napi::Persistent(bytes);
    view.data = bytes.Data();
    view.size = bytes.ByteLength();
    view.width = static_cast<uint32_t>(w);
    view.height = static_cast<uint32_t>(h);
    view.channels = static_cast<uint32_t>(c);
    planes.push_back(std::move(view));
  }
  auto* worker = new ForensicsWorker(env, std::move(jpegs), std::move(planes), static_cast<int>(limit));
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

class DecodeWorker : public Napi::AsyncWorker {
 public:
  // The JPEG is copied: face workers decode too, and a worker thread terminated while its decode
  // runs must not leave this thread reading its freed buffers.
  DecodeWorker(Napi::Env env, Napi::Uint8Array jpeg, int scale, Napi::Uint8Array target)
      : Napi::AsyncWorker(env, "iad.decodeJpegScaled"), deferred_(Napi::Promise::Deferred::New(env)),
        jpeg_(jpeg.Data(), jpeg.Data() + jpeg.ByteLength()), scale_(scale) {
    if (!target.IsEmpty()) {
      target_ = Napi::Persistent(target);
      target_data_ = target.Data();
      target_size_ = target.ByteLength();
    }
  }

  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    // The target's memory stays put while the reference holds it; JavaScript does not touch it
    // until the promise settles.
    status_ = iad::decode_jpeg_scaled(jpeg_.data(), jpeg_.size(), scale_, image_, target_data_, target_size_);
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    auto out = Napi::Object::New(env);
    switch (status_) {
      case iad::JpegDecodeStatus::Ok: out.Set("status", "ok"); break;
      case iad::JpegDecodeStatus::Unsupported: out.Set("status", "unsupported"); break;
      case iad::JpegDecodeStatus::Corrupt: out.Set("status", "corrupt"); break;
    }
    if (status_ == iad::JpegDecodeStatus::Ok) {
      out.Set("width", image_.width);
      out.Set("height", image_.height);
      if (image_.in_target) {
        // The target's own subarray: a new view on its buffer would need an ArrayBuffer, and the
        // target may be a SharedArrayBuffer's (the service's frame slots).
        const double bytes = static_cast<double>(size_t{image_.width} * image_.height * 3);
        Napi::Uint8Array target = target_.Value();
        Napi::Value view = target.Get("subarray").As<Napi::Function>().Call(target, {Napi::Number::New(env, 0), Napi::Number::New(env, bytes)});
        if (env.IsExceptionPending()) {
          deferred_.Reject(env.GetAndClearPendingException().Value());
          return;
        }
        out.Set("rgb", view);
      } else {
        out.Set("rgb", Napi::Buffer<uint8_t>::Copy(env, image_.rgb.data(), image_.rgb.size()));
      }
    }
    deferred_.Resolve(out);
  }


 private:
  Napi::Promise::Deferred deferred_;
  std::vector<uint8_t> jpeg_;
  int scale_;
  Napi::Reference<Napi::Uint8Array> target_;
  uint8_t* target_data_ = nullptr;
  size_t target_size_ = 0;
  iad::JpegDecodeStatus status_ = iad::JpegDecodeStatus::Corrupt;
  iad::ScaledRgb image_;
};

// Gives the C library's free heap memory back to the system. glibc keeps what a burst of captures
// freed (upload buffers, decoded frames, model scratch of every thread's arena) mapped, so RSS
// stays at the burst's peak; the service calls this once it goes idle. Elsewhere a no-op.
Napi::Value TrimFreeMemory(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__)
  return Napi::Boolean::New(info.Env(), malloc_trim(0) == 1);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

// Makes V8 collect the calling thread's heap at once and give its free pages back: a full,
// compacting collection that also shrinks the young generation, which V8 otherwise keeps at the
// size a burst grew it to. Node-API has no call for this, hence V8's own header (Node's). It blocks
// the calling thread for a few tens of ms: for an idle moment, before `TrimFreeMemory`.
Napi::Value ReleaseHeapMemory(const Napi::CallbackInfo& info) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate != nullptr) isolate->LowMemoryNotification();
  return info.Env().Undefined();
}

// Largest image or tensor side the pixel kernels take: far beyond any frame (limits.h) or model
// input, small enough that every product below fits easily.
constexpr double kMaxPixelSide = 16384;

// A side the pixel kernels take: a whole number from 1 to kMaxPixelSide, or 0 when it is not.
uint32_t side_of(const Napi::Value& v) {
  if (!v.IsNumber()) return 0;
  const double d = v.As<Napi::Number>().DoubleValue();
  return d >= 1 && d <= kMaxPixelSide && std::floor(d) == d ? static_cast<uint32_t>(d) : 0;
}

// warpToTensor(rgb, width, height, ax, bx, cx, ay, by, cy, size, rows, gain, offset, out): see
// warp.h. Synchronous, on the calling thread (a face worker). Arguments that do not describe an
// image and an output large enough throw a TypeError: they are a caller's bug. The map, gain and
// offset may be any number (a NaN map gives NaN values, as the JavaScript it replaced did).
Napi::Value WarpToTensor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto fail = type_error(env, "warpToTensor");
  if (info.Length() != 14) return fail("expects (rgb, width, height, ax, bx, cx, ay, by, cy, size, rows, gain, offset, out)");
  if (!is_uint8_array(info[0])) return fail("rgb must be a Uint8Array");
  if (!is_typed_array_of(info[13], napi_float32_array)) return fail("out must be a Float32Array");
  for (size_t i = 1; i < 13; ++i)
    if (!info[i].IsNumber()) return fail("width to offset must be numbers");
  const uint32_t width = side_of(info[1]), height = side_of(info[2]), size = side_of(info[9]), rows = side_of(info[10]);
  if (width == 0 || height == 0 || size == 0 || rows == 0) return fail("sides must be whole numbers from 1 to 16384");
  const auto rgb = info[0].As<Napi::Uint8Array>();
  auto out = info[13].As<Napi::Float32Array>();
  if (rgb.ByteLength() < uint64_t{width} * height * 3) return fail("rgb is shorter than width * height * 3");
  if (out.ElementLength() < uint64_t{size} * rows * 3) return fail("out is shorter than size * rows * 3");
  auto number = [&](size_t i) { return info[i].As<Napi::Number>().DoubleValue(); };
  const iad::Affine t{number(3), number(4), number(5), number(6), number(7), number(8)};
  iad::warp_to_tensor(rgb.Data(), width, height, t, size, rows, number(11), number(12), out.Data());
  return env.Undefined();
}

uint64_t scene_table_length(uint32_t width, uint32_t height) { return (uint64_t{width} + 1) * (uint64_t{height} + 1); }

// sceneTable(rgb, width, height, table: Float64Array): see scene.h. Synchronous (a face worker);
// arguments that do not fit throw a TypeError.
Napi::Value SceneTable(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto fail = type_error(env, "sceneTable");
  if (info.Length() != 4 || !is_uint8_array(info[0]) || !is_typed_array_of(info[3], napi_float64_array))
    return fail("expects (rgb: Uint8Array, width, height, table: Float64Array)");
  const uint32_t width = side_of(info[1]), height = side_of(info[2]);
  if (width == 0 || height == 0) return fail("sides must be whole numbers from 1 to 16384");
  const auto rgb = info[0].As<Napi::Uint8Array>();
  auto table = info[3].As<Napi::Float64Array>();
  if (rgb.ByteLength() < uint64_t{width} * height * 3) return fail("rgb is shorter than width * height * 3");
  if (table.ElementLength() < scene_table_length(width, height)) return fail("table is shorter than (width + 1) * (height + 1)");
  iad::scene_table(rgb.Data(), width, height, table.Data());
  return env.Undefined();
}

// compareScenes(best: Float64Array, other: Float64Array, width, height) -> { shiftX, shiftY,
// maxResidual }: two tables of the same frame size. Synchronous; misfits throw a TypeError.
Napi::Value CompareScenes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto fail = type_error(env, "compareScenes");
  if (info.Length() != 4 || !is_typed_array_of(info[0], napi_float64_array) || !is_typed_array_of(info[1], napi_float64_array))
    return fail("expects (best: Float64Array, other: Float64Array, width, height)");
  const uint32_t width = side_of(info[2]), height = side_of(info[3]);
  if (width == 0 || height == 0) return fail("sides must be whole numbers from 1 to 16384");
  auto best = info[0].As<Napi::Float64Array>();
  auto other = info[1].As<Napi::Float64Array>();
  const uint64_t length = scene_table_length(width, height);
  if (best.ElementLength() < length || other.ElementLength() < length)
    return fail("a table is shorter than (width + 1) * (height + 1)");
  const iad::SceneComparison c = iad::compare_scenes(best.Data(), other.Data(), width, height);
  auto out = Napi::Object::New(env);
  out.Set("shiftX", c.shift_x);
  out.Set("shiftY", c.shift_y);
  out.Set("maxResidual", c.max_residual);
  return out;
}

Napi::Value DecodeJpegScaled(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto fail = type_error(env, "decodeJpegScaled");
  if (info.Length() < 2 || !is_uint8_array(info[0]) || !info[1].IsNumber())
    return fail("expects (jpeg: Uint8Array, scale: 2 | 4 | 8, target?: Uint8Array)");
  const auto bytes = info[0].As<Napi::Uint8Array>();
  if (bytes.ByteLength() > iad::kMaxFrameBytes) return fail("jpeg larger than a frame may be");
  const int64_t scale = info[1].As<Napi::Number>().Int64Value();
  if (scale != 2 && scale != 4 && scale != 8) return fail("scale must be 2, 4 or 8");
  Napi::Uint8Array target;
  if (info.Length() > 2 && !info[2].IsUndefined()) {
    if (!is_uint8_array(info[2])) return fail("target must be a Uint8Array");
    target = info[2].As<Napi::Uint8Array>();
  }
  auto* worker = new DecodeWorker(env, bytes, static_cast<int>(scale), target);
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

class Engine : public Napi::ObjectWrap<Engine> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Engine", {InstanceMethod<&Engine::Open>("open")});
  }

  explicit Engine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Engine>(info) {
    Napi::Env env = info.Env();
    if (info.Length() != 1 || !info[0].IsObject()) {
      Napi::TypeError::New(env, "Engine expects { service, sdk, attestation } arrays of raw keys")
          .ThrowAsJavaScriptException();
      return;
    }
    auto keys = std::make_shared<iad::Keyring>();
    const Napi::Object spec = info[0].As<Napi::Object>();
    if (!AddKeys(env, spec, "service", *keys) || !AddKeys(env, spec, "sdk", *keys) ||
        !AddKeys(env, spec, "attestation", *keys))
      return;
    if (keys->service_count() == 0) {
      Napi::TypeError::New(env, "Engine needs at least one service private key").ThrowAsJavaScriptException();
      return;
    }
    keys_ = std::move(keys);
  }

 private:
  bool AddKeys(Napi::Env env, const Napi::Object& spec, const char* kind, iad::Keyring& keys) {
    const Napi::Value value = spec.Get(kind);
    if (env.IsExceptionPending()) return false;
    if (!value.IsArray()) {
      Napi::TypeError::New(env, std::string("Engine: `") + kind + "` must be an array of Uint8Array")
          .ThrowAsJavaScriptException();
      return false;
    }
    const Napi::Array list = value.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); ++i) {
      const Napi::Value item = list.Get(i);
      if (!item.IsTypedArray() || item.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
        Napi::TypeError::New(env, std::string("Engine: `") + kind + "` entries must be Uint8Array")
            .ThrowAsJavaScriptException();
        return false;
      }
      const auto bytes = item.As<Napi::Uint8Array>();
      const std::string k(kind);
      const bool ok = k == "service"  ? keys.add_service_private(bytes.Data(), bytes.ByteLength())
                      : k == "sdk"    ? keys.add_sdk_public(bytes.Data(), bytes.ByteLength())
                                      : keys.add_attestation_public(bytes.Data(), bytes.ByteLength());
      if (!ok) {
        // Never echo key bytes: only which list and which position was refused.
        Napi::TypeError::New(env, std::string("Engine: `") + kind + "` key #" + std::to_string(i) +
                                      " is not a valid raw 32-byte key")
            .ThrowAsJavaScriptException();
        return false;
      }
    }
    return true;
  }

  Napi::Value Open(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!keys_) {
      Napi::Error::New(env, "Engine was not constructed").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (info.Length() != 1 || !info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      Napi::TypeError::New(env, "open expects a Uint8Array").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const auto bytes = info[0].As<Napi::Uint8Array>();
    if (bytes.ByteLength() > iad::kMaxCaptureBytes) {
      // Refused before copying: an oversized input never costs a worker or memory.
      auto deferred = Napi::Promise::Deferred::New(env);
      deferred.Resolve(failure_object(env, iad::Failure{Code::TooLarge, 0}));
      return deferred.Promise();
    }
    auto* worker = new OpenWorker(env, keys_, bytes.Data(), bytes.ByteLength());
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
  }

  std::shared_ptr<const iad::Keyring> keys_;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Engine", Engine::Define(env));
  exports.Set("forensics", Napi::Function::New<Forensics>(env, "forensics"));
  exports.Set("decodeJpegScaled", Napi::Function::New<DecodeJpegScaled>(env, "decodeJpegScaled"));
  exports.Set("warpToTensor", Napi::Function::New<WarpToTensor>(env, "warpToTensor"));
  exports.Set("sceneTable", Napi::Function::New<SceneTable>(env, "sceneTable"));
  exports.Set("compareScenes", Napi::Function::New<CompareScenes>(env, "compareScenes"));
  exports.Set("trimFreeMemory", Napi::Function::New<TrimFreeMemory>(env, "trimFreeMemory"));
  exports.Set("releaseHeapMemory", Napi::Function::New<ReleaseHeapMemory>(env, "releaseHeapMemory"));
  exports.Set("formatVersion", iad::kFormatVersion);
  exports.Set("maxCaptureBytes", static_cast<double>(iad::kMaxCaptureBytes));
  return exports;
}

}  // namespace

NODE_API_MODULE(iad_native, Init)
