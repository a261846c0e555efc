// Builds the citizen portal's script: frontend/dist/portal/portal.js (an ES module with
// json-logic-engine and Leaflet bundled in) and frontend/dist/portal/portal.css (Leaflet's
// CSS and the map picker's). Django serves frontend/dist under /static/builder/ (see
// STATICFILES_DIRS in lcnc/settings/base.py); lcnc/static/js/portal.js loads both.
// The builder SPA has its own config: vite.builder.config.ts. Vitest runs both's tests.
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [react()],
  publicDir: false,
  build: {
    outDir: 'dist/portal',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: true,
    minify: true,
    lib: {
      entry: fileURLToPath(new URL('./src/portal/main.js', import.meta.url)),
      formats: ['es'],
      fileName: () => 'portal.js',
      cssFileName: 'portal'
    },
    rollupOptions: {
      output: {
        // Leaflet's images are not used (the marker is CSS); keep any asset next to the JS.
        assetFileNames: '[name][extname]'
      }
    }
  },
  test: {
    environment: 'jsdom',
    globals: true,
    include: ['src/**/*.test.{js,ts,tsx}'],
    setupFiles: ['src/builder/test-setup.ts'],
    // Component tests type with user-event and wait for stubbed requests: on a loaded
    // machine one takes well over the default 5 s (see also asyncUtilTimeout).
    testTimeout: 60_000,
    // Each test stubs fetch (and spies on what it needs) itself; none sees the last one's.
    unstubGlobals: true,
    restoreMocks: true
  }
})
