#!/usr/bin/env node
// The compiled CLI (src/cli/iad-capture.ts); the package's build step writes dist/.
import "../dist/cli/iad-capture.js"
