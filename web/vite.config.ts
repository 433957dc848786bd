import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// SvelteKit 3 reads its configuration here. The adapter-node handler is
// mounted by web/server (one port for pages, API and WebSockets).
export default defineConfig({
  plugins: [sveltekit({ adapter: adapter({ out: 'build', envPrefix: 'PREAU_KIT_' }) })],
  server: { fs: { allow: ['..'] } },
});
