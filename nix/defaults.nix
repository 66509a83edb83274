# Service defaults, as in src/domain/ServiceConfig.ts (`defaultConfig`), FaceThresholds.ts and
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
    liveness_threshold = 0.5;
    log = {
      log_path = "";
      log_level = "INFO";
      log_size_limit = 104857600;
    };
    face = {
      min_face_probability = 0.5;
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
