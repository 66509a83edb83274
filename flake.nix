{
  description = "IAD Service: open, self-hostable injection-attack detection (Facephi IAD Service 2.0.0 REST contract)";

  # Node 22, a supported LTS line (Node 20 reached end of life in April 2026).
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";

  outputs = { self, nixpkgs }:
    let
      system = "x86_64-linux";
      # Everything Node-related (importNpmLock's hooks, node-gyp headers) uses Node 22.
      pkgs = import nixpkgs {
        inherit system;
        overlays = [ (final: prev: { nodejs = final.nodejs_22; }) ];
      };
      iad-service = pkgs.callPackage ./nix/package.nix { nodejs = pkgs.nodejs_22; };
    in
    {
      packages.${system} = {
        default = iad-service;
        inherit iad-service;
        # The reference capture SDK CLI (package.json "bin"), same build.
        iad-capture = pkgs.writeShellScriptBin "iad-capture" ''
          exec ${iad-service}/bin/iad-capture "$@"
        '';
        container = pkgs.callPackage ./nix/container.nix { inherit iad-service; };
      };

      apps.${system} = {
        default = { type = "app"; program = "${iad-service}/bin/iad-service"; };
        iad-capture = { type = "app"; program = "${iad-service}/bin/iad-capture"; };
      };

      checks.${system} = {
        # Type check and the vitest suite, run inside the sandbox against the built addon.
        tests = iad-service.overrideAttrs (_: { pname = "iad-service-tests"; doCheck = true; });
        # Evaluates the module and its systemd unit (no VM).
        module = let
          eval = nixpkgs.lib.nixosSystem {
            inherit system;
            modules = [
              self.nixosModules.default
              {
                services.iad-service.enable = true;
                boot.isContainer = true;
                system.stateVersion = "25.11";
              }
            ];
          };
          failed = builtins.filter (a: !a.assertion) eval.config.assertions;
        in
        assert failed == [ ] || throw (builtins.head failed).message;
        pkgs.writeText "iad-service.service" eval.config.systemd.units."iad-service.service".text;
      };

      nixosModules.default = { pkgs, lib, ... }: {
        imports = [ ./nix/module.nix ];
        services.iad-service.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.default;
      };

      devShells.${system}.default = pkgs.mkShell {
        packages = [ pkgs.nodejs_22 pkgs.python3 pkgs.gcc pkgs.gnumake pkgs.openssl ];
        # node-gyp builds the addon against this Node's headers instead of downloading them.
        npm_config_nodedir = "${pkgs.nodejs_22}";
        ONNXRUNTIME_NODE_INSTALL = "skip";
      };

      formatter.${system} = pkgs.nixpkgs-fmt;
    };
}
