// The console's bundle: index.html + src/ -> one folder of static files that carbonxd serves
// ([server] console_web_dir, default web/ beside carbonxd's bin/). The output folder comes from
// CARBONX_WEB_OUT (build.sh sets it to <build dir>/web).
import { defineConfig } from 'vite'

export default defineConfig({
  base: './',
  build: {
    outDir: process.env.CARBONX_WEB_OUT || 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 200,
  },
})
