# OCI image like the vendor's: port 6982, config in /app/config, license in /app/license,
# running as an unprivileged user (uid/gid 1000). Load it with `docker load < result`.
{ dockerTools
, iad-service
}:

let
  uid = "1000";
  app = "${iad-service}/lib/node_modules/iad-service";
in
dockerTools.buildLayeredImage {
  name = "iad-service";
  tag = iad-service.version;

  contents = [
    iad-service
    (dockerTools.fakeNss.override {
      extraPasswdLines = [ "iad:x:${uid}:${uid}:IAD Service:/app:/noshell" ];
      extraGroupLines = [ "iad:x:${uid}:" ];
    })
  ];

  # Writable directories owned by the service user; the face models are read from ./models
  # under the working directory.
  fakeRootCommands = ''
    mkdir -p app/config app/license app/keys tmp
    chown -R ${uid}:${uid} app
    chmod 0750 app/config app/license app/keys
    chmod 1777 tmp
    ln -s ${app}/models app/models
  '';

  config = {
    User = "${uid}:${uid}";
    WorkingDir = "/app";
    Entrypoint = [ "${iad-service}/bin/iad-service" ];
    ExposedPorts = { "6982/tcp" = { }; };
    Env = [
      "FACEPHI_IAD_CONFIG=/app/config/config.json"
      "HOME=/app"
      "NODE_ENV=production"
    ];
    # keys_dir defaults to "keys" (/app/keys): keep it on a volume too, or the service generates
    # new development keys in every new container.
    Volumes = { "/app/config" = { }; "/app/license" = { }; "/app/keys" = { }; };
  };
}
