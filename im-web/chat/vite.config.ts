import { defineConfig } from 'vite';

/**
 * Builds the page into dist/ with relative asset paths, so the Magpie server can serve it under /chat/
 * (it writes config.json next to index.html). The dev server serves public-dev/config.json, which points the
 * page at its own origin, and proxies the account API (/v1) and the LSB (/lsb) to a running Magpie: set
 * MAGPIE_ACCOUNT_URL / MAGPIE_LSB_URL when it does not listen on the default ports.
 */
export default defineConfig(({ command }) => ({
  base: './',
  publicDir: command === 'serve' ? 'public-dev' : false,
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: {
    proxy: {
      '/v1': { target: process.env.MAGPIE_ACCOUNT_URL ?? 'http://127.0.0.1:8081', changeOrigin: true },
      '/lsb': {
        target: process.env.MAGPIE_LSB_URL ?? 'http://127.0.0.1:8080',
        changeOrigin: true,
        rewrite: (path) => path.replace(/^\/lsb/, ''),
      },
    },
  },
}));
