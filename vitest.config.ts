import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*_test.ts"],
    globalSetup: ["test/global_setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
