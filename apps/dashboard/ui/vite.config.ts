import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** `pnpm dev` serves the UI with hot reload and sends the rest to a dashboard on DASHBOARD_URL. */
const dashboard = process.env.DASHBOARD_URL ?? 'http://127.0.0.1:3000';
const proxied = ['/api', '/queues', '/login', '/logout', '/healthz', '/readyz'];

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: dashboard }])),
  },
});
