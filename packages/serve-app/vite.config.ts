import { defineConfig } from 'vite';

// The app is served by `apb serve` from dist/app/ at the site root (dist/index.js points there); the API lives on the same origin.
export default defineConfig({
  build: { outDir: 'dist/app', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4000 },
});
