# The service as a Nix package: dependencies from package-lock.json through importNpmLock (no hand-kept
# dependency hash), the native addon built with node-gyp against `nodejs` (the flake's Node LTS), the
# face models converted at build time, the TypeScript compiled to dist/, the browser SDK bundled,
# and two wrappers: bin/iad-service and bin/iad-capture.
{ lib
, buildNpmPackage
, importNpmLock
, nodejs
, openssl
, makeWrapper
}:

let
  src = lib.fileset.toSource {
    root = ../.;
    fileset = lib.fileset.unions [
      ../package.json
      ../package-lock.json
      ../.npmrc
      ../tsconfig.json
      ../tsconfig.build.json
      ../vitest.config.ts
      ../binding.gyp
      ../bin
      ../native
      ../scripts
      ../src
      ../sdk
      # The tests import these (the check phase type-checks and runs them).
      ../test
      ../eval
      ../bench
      ../docs/test-vectors
      ../examples
      ../packages
    ];
  };

  packageJson = lib.importJSON ../package.json;

  # The lock names each package by path and integrity but leaves out `resolved` (npm omits
  # registry URLs). importNpmLock fetches only entries with `resolved`, so add the registry
  # tarball URL, checked against the lock's own integrity hash.
  registry = "https://registry.npmjs.org";
  nameOf = path: lib.last (lib.splitString "node_modules/" path);
  tarballOf = name: version: "${registry}/${name}/-/${lib.last (lib.splitString "/" name)}-${version}.tgz";
  withResolved = path: module:
    if path == "" || module ? resolved || module.link or false || !(module ? integrity) then module
    else module // { resolved = tarballOf (module.name or (nameOf path)) module.version; };
  lock = lib.importJSON ../package-lock.json;
  packageLock = lock // { packages = lib.mapAttrs withResolved lock.packages; };
in
buildNpmPackage {
  pname = packageJson.name;
  inherit (packageJson) version;
  inherit src nodejs;

  npmDeps = importNpmLock {
    package = packageJson;
    inherit packageLock;
  };
  npmConfigHook = importNpmLock.npmConfigHook;

  # Dependencies' install scripts stay off, as with npm 11 on a developer machine (FACTS):
  # onnxruntime-node bundles its CPU binaries and its postinstall would try to download more;
  # sharp, esbuild and msgpackr load prebuilt platform packages from the lock.
  npmRebuildFlags = [ "--ignore-scripts" ];
  env = {
    # onnxruntime-node's install script honours this (npm 11's allowScripts in package.json does
    # the same on a developer machine), for any npm call that runs scripts.
    ONNXRUNTIME_NODE_INSTALL = "skip";
  };

  nativeBuildInputs = [ makeWrapper ];
  # The addon includes OpenSSL headers; nixpkgs' Node links this OpenSSL, which provides the
  # symbols at run time.
  buildInputs = [ openssl ];

  buildPhase = ''
    runHook preBuild
    # The root package's `install` (binding.gyp) and `postinstall` (face models), which
    # `npm install --ignore-scripts` skipped. node-gyp uses the headers of the Node in the closure.
    node ${nodejs}/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js rebuild --nodedir=${nodejs}
    npm run build:models
    # The `prepare` step of `npm ci`: TypeScript to dist/ (what the service runs) and the browser SDK.
    npm run build
    runHook postBuild
  '';

  doCheck = false; # the flake's checks.tests turns it on
  checkPhase = ''
    runHook preCheck
    npm run typecheck
    npm test
    runHook postCheck
  '';

  installPhase = ''
    runHook preInstall
    npm prune --omit=dev --no-save --ignore-scripts
    dest=$out/lib/node_modules/${packageJson.name}
    mkdir -p $dest/build/Release $out/bin
    mkdir -p $dest/sdk/web
    cp -r package.json package-lock.json .npmrc bin dist models node_modules $dest/
    # The browser SDK bundle and the demo page's assets, served by the service.
    cp -r sdk/web/dist sdk/web/demo $dest/sdk/web/
    cp build/Release/iad_native.node $dest/build/Release/
    # What `npm start` runs: the CommonJS bootstrap sizes libuv's pool from number_of_threads,
    # then loads the compiled service from dist/.
    makeWrapper ${nodejs}/bin/node $out/bin/iad-service \
      --add-flags "$dest/bin/iad-service.cjs"
    makeWrapper ${nodejs}/bin/node $out/bin/iad-capture \
      --add-flags "$dest/bin/iad-capture.js"
    runHook postInstall
  '';

  passthru = { inherit nodejs; };

  meta = {
    description = packageJson.description;
    license = lib.licenses.asl20;
    mainProgram = "iad-service";
    platforms = [ "x86_64-linux" ];
  };
}
