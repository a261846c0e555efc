// Builds the builder SPA (src/builder, React + TypeScript) into frontend/dist/app/:
// builder.js (an ES module) and builder.css, with fixed names. Django serves frontend/dist
// under /static/builder/, so the page template (apps/builder/templates/builder/index.html)
// loads /static/builder/app/builder.js without a manifest.
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [react()],
  publicDir: false,
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: true,
    minify: true,
    lib: {
      entry: fileURLToPath(new URL('./src/builder/main.tsx', import.meta.url)),
      formats: ['es'],
      fileName: () => 'builder.js',
      cssFileName: 'builder'
    },
    rollupOptions: {
      output: { assetFileNames: '[name][extname]' }
    }
  }
})
