// The map page is served by the API under /map (api/map_page.py), so every asset lives there.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/map/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Nothing inlined as data: URLs or inline code; the page's CSP allows this origin only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 600,
  },
});
