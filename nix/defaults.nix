# Service defaults, as in src/domain/ServiceConfig.ts (`defaultConfig`), FaceThresholds.ts,
# DetectionConfig.ts, SessionsConfig.ts and
# LicenseConfig.ts. Plain Nix (no nixpkgs) so that test/nix can evaluate it with
# `nix-instantiate --eval` and compare it with the TypeScript defaults.
{
  config = {
    port = 6982;
    address = "0.0.0.0";
    number_of_threads = 0;
    engine_pool_size = 2;
    engine = "native";
    engine_queue_timeout = 10;
    client_max_body_size = "10M";
    keys_dir = "keys";
    idle_connection_timeout = 60;
    max_connections = 1000;
    max_connections_per_ip = 0;
    request_timeout = 30;
    max_upload_bytes_in_flight = "200M";
    metrics_port = 0;
    metrics_address = "127.0.0.1";
    liveness_threshold = 0.5;
    log = {
      log_path = "";
      log_level = "INFO";
      log_size_limit = 104857600;
    };
    face = {
      min_face_probability = 0.5;
      min_face_presence = 0.5;
      min_face_size = 150;
      max_face_frame_ratio = 0.8;
      max_face_outside_ratio = 0.05;
      min_border_padding = 15;
      max_yaw = 30;
      max_pitch = 30;
      max_roll = 30;
      min_lower_face_visibility = 0.1;
      min_eye_openness = 0.12;
    };
    detection = {
      revoked_sdk_versions = [ ];
      virtual_camera_names = [
        "obs virtual"
        "obs-camera"
        "manycam"
        "v4l2loopback"
        "dummy video device"
        "droidcam"
        "iriun"
        "epoccam"
        "xsplit"
        "snap camera"
        "e2esoft"
        "vcam"
        "virtual camera"
        "splitcam"
        "youcam"
        "webcamoid"
        "akvcam"
        "camtwist"
        "nvidia broadcast"
      ];
      min_jpeg_quality = 70;
      min_frames = 2;
      min_temporal_noise = 0.2;
      low_temporal_noise = 0.3;
      max_identical_share = 0.99;
      min_motion_rate = 20;
      min_gravity = 8.3;
      max_gravity = 11.3;
      min_accel_noise = 0.004;
      min_gyro_noise = 0.0006;
      min_touch_interval = 40;
      min_frame_period_ratio = 0.5;
      web_environment_signals = [
        "emulator"
        "rooted"
        "hookingFramework"
        "debuggerAttached"
        "virtualCamera"
        "appRepackaged"
        "remoteControl"
      ];
    };
    sessions = {
      ttl_seconds = 120;
      allowed_origins = [ ];
    };
    demo = {
      enabled = false;
    };
  };

  # Defaults of the optional `license` section (key, key_file, product_id, public_key_file have none).
  license = {
    host = "https://api.cryptlex.com";
    request_timeout = 10;
    retry_interval = 60;
    license_dir = "license";
    deactivate_on_shutdown = false;
  };

  # Replay mitigation, from the environment only (src/domain/ReplayPolicy.ts).
  replay = {
    enabled = false;
    tolerance_time = 300;
  };
}
