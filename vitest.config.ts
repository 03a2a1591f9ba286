import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/engine/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/grammar/**/*.test.ts', 'test/webview/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
