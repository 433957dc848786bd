import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';

/**
 * Boards must work with the outside network closed: Excalidraw's fonts are
 * copied into the app's static assets (served at /excalidraw-assets/fonts),
 * once per Excalidraw version.
 */
function excalidrawAssets(): Plugin {
  return {
    name: 'preau-excalidraw-assets',
    buildStart() {
      const entry = createRequire(import.meta.url).resolve('@excalidraw/excalidraw');
      const from = join(dirname(entry), 'fonts');
      const to = fileURLToPath(new URL('./static/excalidraw-assets/fonts', import.meta.url));
      const pkg = JSON.parse(readFileSync(join(dirname(entry), '../../package.json'), 'utf8'));
      const stamp = `${pkg.name}@${pkg.version}`;
      const marker = join(to, '.version');
      if (existsSync(marker) && readFileSync(marker, 'utf8') === stamp) return;
      rmSync(to, { recursive: true, force: true });
      cpSync(from, to, { recursive: true });
      writeFileSync(marker, stamp);
    },
  };
}

// SvelteKit 3 reads its configuration here. The adapter-node handler is
// mounted by web/server (one port for pages, API and WebSockets).
export default defineConfig({
  plugins: [
    excalidrawAssets(),
    sveltekit({ adapter: adapter({ out: 'build', envPrefix: 'PREAU_KIT_' }) }),
  ],
  // One React for Excalidraw and its dependencies (the root holds another major).
  resolve: { dedupe: ['react', 'react-dom'] },
  server: { fs: { allow: ['..'] } },
});
