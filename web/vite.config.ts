import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';
import { CSP_DIRECTIVES } from './server/securityHeaders.ts';

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
    // Excalidraw lists a CDN after the asset path as a fallback source of each
    // font: never fetched (Préau's copy answers), but the page's CSP reports
    // every such source. The fallback becomes Préau's own copy too.
    transform(code, id) {
      if (!id.includes('@excalidraw/excalidraw/dist/') || !code.includes('ASSETS_FALLBACK_URL'))
        return null;
      const cdn = /`https:\/\/esm\.sh\/\$\{.*?\}\/dist\/prod\/`/;
      if (!cdn.test(code))
        this.error(
          'Excalidraw’s font fallback changed: check that no CDN remains (web/vite.config.ts)',
        );
      return {
        code: code.replace(
          cdn,
          '(typeof window<"u"?window.location.origin:"")+"/excalidraw-assets/"',
        ),
        map: null,
      };
    },
  };
}

// SvelteKit 3 reads its configuration here. The adapter-node handler is
// mounted by web/server (one port for pages, API and WebSockets).
export default defineConfig({
  plugins: [
    excalidrawAssets(),
    sveltekit({
      adapter: adapter({ out: 'build', envPrefix: 'PREAU_KIT_' }),
      // Every page's policy, with a nonce for SvelteKit's own start-up script.
      csp: {
        mode: 'auto',
        directives: Object.fromEntries(
          Object.entries(CSP_DIRECTIVES).map(([k, v]) => [k, [...v]]),
        ) as never,
      },
    }),
  ],
  // One React for Excalidraw and its dependencies (the root holds another major).
  resolve: { dedupe: ['react', 'react-dom'] },
  server: { fs: { allow: ['..'] } },
});
