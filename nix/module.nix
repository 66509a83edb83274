# NixOS module: services.iad-service. `settings` mirrors config.json key by key (types follow the
# Schema in src/domain/ServiceConfig.ts); secrets (license key, admin token) are read from files
# at start through systemd credentials and never enter the Nix store.
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption mkEnableOption mkIf types literalExpression optionalString optional;
  cfg = config.services.iad-service;
  defaults = import ./defaults.nix;
  d = defaults.config;

  stateDir = "/var/lib/iad-service";
  configPath = "${stateDir}/config/config.json";

  positiveNumber = types.numbers.positive;
  nonNegativeNumber = types.numbers.nonnegative;
  probability = types.numbers.between 0 1;
  degrees = types.numbers.between 0 180;
  # "1024", "1k", "10M", "1G"; "" = no limit (src/domain/ByteSize.ts).
  byteSize = types.strMatching "[[:space:]]*([0-9]+[kKmMgG]?)?[[:space:]]*";
  absolutePath = types.strMatching "/.*";

  opt = type: default: description: mkOption { inherit type default description; };

  logOptions = {
    log_path = opt types.str d.log.log_path "Log file; empty logs to stdout (the journal).";
    log_level = opt (types.enum [ "TRACE" "DEBUG" "INFO" "WARN" "ERROR" ]) d.log.log_level "Log level.";
    log_size_limit = opt types.ints.positive d.log.log_size_limit "Bytes after which the log file is rotated.";
  };

  faceOptions = with d.face; {
    min_face_probability = opt probability min_face_probability "Detector confidence a face needs to count as found.";
    min_face_presence = opt probability min_face_presence "Landmark model face-presence a detection needs to count as a face.";
    min_face_size = opt nonNegativeNumber min_face_size "Smallest face box side, px.";
    max_face_frame_ratio = opt (types.numbers.between 0 2) max_face_frame_ratio "Largest face box side as a share of the frame side.";
    max_face_outside_ratio = opt probability max_face_outside_ratio "Share of the face box allowed outside the frame.";
    min_border_padding = opt nonNegativeNumber min_border_padding "Least gap between face box and frame edge, px.";
    max_yaw = opt degrees max_yaw "Largest yaw, degrees.";
    max_pitch = opt degrees max_pitch "Largest pitch, degrees.";
    max_roll = opt degrees max_roll "Largest roll, degrees.";
    min_lower_face_visibility = opt probability min_lower_face_visibility "Below this the face counts as occluded.";
    min_eye_openness = opt probability min_eye_openness "Eyes count as closed below this aspect ratio.";
  };

  detectionOptions = with d.detection; {
    revoked_sdk_versions = opt (types.listOf types.str) revoked_sdk_versions "SDK builds no longer trusted, as name@version.";
    virtual_camera_names = opt (types.listOf types.nonEmptyStr) virtual_camera_names "Known virtual camera names (case-insensitive substrings).";
    min_jpeg_quality = opt (types.ints.between 1 100) min_jpeg_quality "Lowest IJG quality of the SDK encoder's tables.";
    min_frames = opt (types.ints.between 1 16) min_frames "Fewer frames: low-confidence content rejection.";
    min_temporal_noise = opt nonNegativeNumber min_temporal_noise "Temporal noise below which frames are a still.";
    low_temporal_noise = opt nonNegativeNumber low_temporal_noise "Temporal noise below which content is rejected with low confidence.";
    max_identical_share = opt probability max_identical_share "Share of unchanged pixels at which consecutive frames are the same picture.";
    min_motion_rate = opt nonNegativeNumber min_motion_rate "Least motion sample rate over the frames, Hz.";
    min_gravity = opt nonNegativeNumber min_gravity "Least mean acceleration, m/s^2.";
    max_gravity = opt nonNegativeNumber max_gravity "Largest mean acceleration, m/s^2.";
    min_accel_noise = opt nonNegativeNumber min_accel_noise "Least accelerometer sensor noise, m/s^2.";
    min_gyro_noise = opt nonNegativeNumber min_gyro_noise "Least gyroscope sensor noise, rad/s.";
    min_touch_interval = opt nonNegativeNumber min_touch_interval "Least time between touches, ms.";
    min_frame_period_ratio = opt probability min_frame_period_ratio "Least frame gap as a share of the declared frame period.";
    web_environment_signals = opt (types.listOf (types.enum [ "emulator" "rooted" "hookingFramework" "debuggerAttached" "virtualCamera" "appRepackaged" "remoteControl" ])) web_environment_signals "Environment signals that reject a web capture (docs/web.md).";
  };

  sessionsOptions = with d.sessions; {
    ttl_seconds = opt (types.ints.between 1 3600) ttl_seconds "Lifetime of a web capture's session token, seconds.";
    allowed_origins = opt (types.listOf types.nonEmptyStr) allowed_origins "Origins a session may be bound to; empty = any.";
  };

  demoOptions = with d.demo; {
    enabled = opt types.bool enabled "Serve the demo page and its loopback-only session endpoint.";
  };

  # `key` and `key_file` are not options: the module sets key_file to its copy of licenseKeyFile.
  licenseOptions = with defaults.license; {
    product_id = mkOption { type = types.nonEmptyStr; description = "Cryptlex product id."; };
    public_key_file = mkOption {
      type = types.either types.path types.nonEmptyStr;
      description = "The product's RSA public key (PEM); public, so a store path is fine.";
    };
    host = opt (types.strMatching "https?://.+") host "License server base URL (http only for loopback).";
    request_timeout = opt positiveNumber request_timeout "Seconds one license request may take.";
    retry_interval = opt positiveNumber retry_interval "Seconds between attempts while activation or sync fails.";
    license_dir = opt types.nonEmptyStr license_dir "Writable directory for the activation token cache; relative to ${stateDir}.";
    deactivate_on_shutdown = opt types.bool deactivate_on_shutdown "Release the activation on shutdown (floating licenses).";
  };

  # Read by the service itself, at start and on `systemctl reload` (SIGHUP), so that renewed
  # certificates are picked up: the files must stay readable by the service's (dynamic) user.
  tlsOptions = {
    cert_file = mkOption { type = absolutePath; description = "Server certificate and intermediates (PEM)."; };
    key_file = mkOption { type = absolutePath; description = "Its private key (PEM), outside the Nix store."; };
    ca_file = mkOption {
      type = types.nullOr absolutePath;
      default = null;
      description = "CA bundle (PEM) for client certificates; set: clients must present one (mutual TLS).";
    };
  };

  settingsOptions = {
    port = opt types.port d.port "TCP port.";
    address = opt types.nonEmptyStr d.address "Listen address.";
    number_of_threads = opt types.ints.unsigned d.number_of_threads "libuv worker threads; 0 = one per CPU.";
    engine_pool_size = opt types.ints.positive d.engine_pool_size "Engines in the pool.";
    engine = opt (types.enum [ "native" "fake" ]) d.engine "Capture engine.";
    engine_queue_timeout = opt positiveNumber d.engine_queue_timeout "Seconds to wait for a free engine before 503.";
    client_max_body_size = opt byteSize d.client_max_body_size ''Largest request body: "1024", "1k", "10M", "1G"; "" = no limit.'';
    keys_dir = opt types.nonEmptyStr d.keys_dir "Engine keys directory; relative to ${stateDir}.";
    idle_connection_timeout = opt types.ints.unsigned d.idle_connection_timeout "Seconds an idle keep-alive connection stays open.";
    max_connections = opt types.ints.unsigned d.max_connections "Open connections in all (0 = no limit).";
    max_connections_per_ip = opt types.ints.unsigned d.max_connections_per_ip "Open connections per client address (0 = no limit).";
    request_timeout = opt positiveNumber d.request_timeout "Seconds a client has to send a whole request (headers and body); slower ones get 408.";
    max_upload_bytes_in_flight = opt byteSize d.max_upload_bytes_in_flight ''Body bytes all uploads in progress may hold together; beyond it 503 + Retry-After. "" = no limit.'';
    metrics_port = opt types.port d.metrics_port "Port of the Prometheus /metrics listener; 0 = off.";
    metrics_address = opt types.nonEmptyStr d.metrics_address "Listen address of the metrics listener.";
    liveness_threshold = opt probability d.liveness_threshold "Probability at or above which a capture is live.";
    log = mkOption { type = types.submodule { options = logOptions; }; default = { }; description = "Logging."; };
    face = mkOption { type = types.submodule { options = faceOptions; }; default = { }; description = "Limits of the face checks."; };
    detection = mkOption { type = types.submodule { options = detectionOptions; }; default = { }; description = "Lists and limits of the capture checks (docs/detection.md)."; };
    sessions = mkOption { type = types.submodule { options = sessionsOptions; }; default = { }; description = "Sessions of web captures (docs/web.md)."; };
    demo = mkOption { type = types.submodule { options = demoOptions; }; default = { }; description = "The demo page (off by default)."; };
    tls = mkOption {
      type = types.nullOr (types.submodule { options = tlsOptions; });
      default = null;
      description = "HTTPS on settings.port (TLS 1.2 at least); null serves plain HTTP (behind a TLS-terminating proxy).";
    };
    license = mkOption {
      type = types.nullOr (types.submodule { options = licenseOptions; });
      default = null;
      description = "Cryptlex license; null runs unlicensed (development only). Needs licenseKeyFile.";
    };
  };

  # An absent `license` or `tls` section is left out rather than written as null.
  settingsJson = removeAttrs cfg.settings [ "license" "tls" ] // lib.optionalAttrs (cfg.settings.license != null) {
    license = cfg.settings.license // { key_file = "${cfg.settings.license.license_dir}/license.key"; };
  } // lib.optionalAttrs (cfg.settings.tls != null) {
    tls = lib.filterAttrs (_: v: v != null) cfg.settings.tls;
  };
  configFile = pkgs.writeText "iad-service-config.json" (builtins.toJSON settingsJson);

  # Directories outside the state directory that the service writes to.
  isAbsolute = lib.hasPrefix "/";
  outside = p: isAbsolute p && !(lib.hasPrefix "${stateDir}/" p);
  writablePaths = lib.filter outside (
    [ cfg.settings.keys_dir ]
    ++ optional (cfg.settings.log.log_path != "") (dirOf cfg.settings.log.log_path)
    ++ optional (cfg.settings.license != null) cfg.settings.license.license_dir
  );

  app = "${cfg.package}/lib/node_modules/iad-service";

  start = pkgs.writeShellScript "iad-service-start" ''
    set -eu
    cd ${stateDir}
    # Declared settings replace config.json at every start; POST /config changes last until then.
    install -d -m 0700 config
    install -m 0600 ${configFile} config/config.json
    # The face models are looked up in ./models.
    ln -sfn ${app}/models models
    ${optionalString (cfg.settings.license != null) ''
      install -d -m 0700 ${lib.escapeShellArg cfg.settings.license.license_dir}
      install -m 0644 "$CREDENTIALS_DIRECTORY/license-key" ${lib.escapeShellArg "${cfg.settings.license.license_dir}/license.key"}
    ''}
    ${optionalString (cfg.adminTokenFile != null) ''
      FACEPHI_IAD_ADMIN_TOKEN="$(cat "$CREDENTIALS_DIRECTORY/admin-token")"
      export FACEPHI_IAD_ADMIN_TOKEN
    ''}
    exec ${cfg.package}/bin/iad-service
  '';
in
{
  options.services.iad-service = {
    enable = mkEnableOption "the IAD Service (injection attack detection, port 6982)";

    package = mkOption {
      type = types.package;
      description = "The iad-service package (the flake's packages.default).";
    };

    settings = mkOption {
      type = types.submodule { options = settingsOptions; };
      default = { };
      description = "config.json, key by key (see docs/nix.md). FACEPHI_IAD_<KEY> variables in `environment` still win.";
      example = literalExpression ''{ engine = "native"; engine_pool_size = 4; log.log_level = "WARN"; }'';
    };

    licenseKeyFile = mkOption {
      type = types.nullOr absolutePath;
      default = null;
      example = "/run/secrets/iad-license-key";
      description = "File holding the license key, outside the Nix store; installed as <license_dir>/license.key (mode 0644) at start.";
    };

    adminTokenFile = mkOption {
      type = types.nullOr absolutePath;
      default = null;
      example = "/run/secrets/iad-admin-token";
      description = "File holding FACEPHI_IAD_ADMIN_TOKEN (bearer token for GET and POST /config); read at start, never in the Nix store. Null: the service generates a token into <keys_dir>/admin.token (mode 0600) on first start.";
    };

    replayAttackChecker = {
      enable = mkOption {
        type = types.bool;
        default = defaults.replay.enabled;
        description = "FACEPHI_IAD_REPLAY_ATTACK_CHECKER_ENABLED: reject stale captures (experimental).";
      };
      toleranceTime = mkOption {
        type = types.ints.unsigned;
        default = defaults.replay.tolerance_time;
        description = "FACEPHI_IAD_REPLAY_ATTACK_TOLERANCE_TIME: freshness window, seconds.";
      };
    };

    environment = mkOption {
      type = types.attrsOf types.str;
      default = { };
      description = "Extra environment variables (no secrets: they end up in the Nix store).";
    };

    openFirewall = mkOption {
      type = types.bool;
      default = false;
      description = "Open settings.port in the firewall.";
    };
  };

  config = mkIf cfg.enable {
    assertions = [
      {
        assertion = cfg.settings.license == null || cfg.licenseKeyFile != null;
        message = "services.iad-service.settings.license needs services.iad-service.licenseKeyFile.";
      }
      {
        assertion = lib.all (f: f == null || !(lib.hasPrefix builtins.storeDir f)) [ cfg.licenseKeyFile cfg.adminTokenFile ];
        message = "services.iad-service: licenseKeyFile and adminTokenFile must not be in the Nix store.";
      }
      {
        assertion = cfg.settings.tls == null || !(lib.hasPrefix builtins.storeDir cfg.settings.tls.key_file);
        message = "services.iad-service: settings.tls.key_file must not be in the Nix store.";
      }
      {
        assertion = !(cfg.environment ? FACEPHI_IAD_ADMIN_TOKEN);
        message = "services.iad-service: use adminTokenFile, not environment.FACEPHI_IAD_ADMIN_TOKEN.";
      }
      {
        # openFirewall opens settings.port: a port set through the environment would listen elsewhere.
        assertion = !(cfg.environment ? FACEPHI_IAD_PORT);
        message = "services.iad-service: set the port with settings.port (openFirewall opens that one), not environment.FACEPHI_IAD_PORT.";
      }
    ];

    networking.firewall.allowedTCPPorts = mkIf cfg.openFirewall [ cfg.settings.port ];

    systemd.services.iad-service = {
      description = "IAD Service (injection attack detection)";
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [ "network-online.target" ];

      environment = {
        FACEPHI_IAD_CONFIG = configPath;
        FACEPHI_IAD_REPLAY_ATTACK_CHECKER_ENABLED = lib.boolToString cfg.replayAttackChecker.enable;
        FACEPHI_IAD_REPLAY_ATTACK_TOLERANCE_TIME = toString cfg.replayAttackChecker.toleranceTime;
        NODE_ENV = "production";
        HOME = stateDir;
      } // cfg.environment;

      serviceConfig = {
        ExecStart = start;
        # SIGHUP reloads the TLS certificates without dropping connections.
        ExecReload = "${pkgs.coreutils}/bin/kill -HUP $MAINPID";
        Restart = "on-failure";
        RestartSec = 5;
        TimeoutStopSec = 30;

        DynamicUser = true;
        StateDirectory = "iad-service";
        StateDirectoryMode = "0700";
        WorkingDirectory = stateDir;
        LoadCredential =
          optional (cfg.licenseKeyFile != null) "license-key:${cfg.licenseKeyFile}"
          ++ optional (cfg.adminTokenFile != null) "admin-token:${cfg.adminTokenFile}";
        ReadWritePaths = writablePaths;
        UMask = "0077";

        # Hardening. V8's JIT needs writable+executable memory: no MemoryDenyWriteExecute.
        ProtectSystem = "strict";
        ProtectHome = true;
        PrivateTmp = true;
        PrivateDevices = true;
        NoNewPrivileges = true;
        RestrictAddressFamilies = [ "AF_INET" "AF_INET6" "AF_UNIX" ];
        CapabilityBoundingSet = if cfg.settings.port < 1024 then "CAP_NET_BIND_SERVICE" else "";
        AmbientCapabilities = lib.optionals (cfg.settings.port < 1024) [ "CAP_NET_BIND_SERVICE" ];
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectKernelLogs = true;
        ProtectControlGroups = true;
        ProtectClock = true;
        ProtectHostname = true;
        ProtectProc = "invisible";
        RestrictNamespaces = true;
        RestrictRealtime = true;
        RestrictSUIDSGID = true;
        LockPersonality = true;
        RemoveIPC = true;
        SystemCallArchitectures = "native";
        SystemCallFilter = [ "@system-service" "~@privileged" ];
      };
    };
  };
}
