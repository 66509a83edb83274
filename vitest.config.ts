import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Native addons and real servers: separate processes keep a crash or a leaked handle local.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000
  }
})
