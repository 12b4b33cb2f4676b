// Bundles src/main.ts into dist/app.js and copies the page and its style beside it. Run by `npm run build`,
// which the Iris.Server build calls (an MSBuild target) when any of these sources changed.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';

await mkdir('dist', { recursive: true });
await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  outfile: 'dist/app.js',
  logLevel: 'warning',
});
await copyFile('index.html', 'dist/index.html');
await copyFile('console.css', 'dist/console.css');
await copyFile('favicon.svg', 'dist/favicon.svg');
