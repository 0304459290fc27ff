import { defineConfig } from 'vite';

// The app is served by `apb serve` from dist/ at the site root; the API lives on the same origin.
export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4000 },
});
