/**
 * Builds the chat page into `frontend/dist`: the bundled script (`app.js`), the stylesheet
 * (`app.css`) and the static files. `index.html` and `config.js` are deliberately absent: both are
 * rendered from their templates (`frontend/index.html.tftpl`, `frontend/config.js.tftpl`) by
 * Terraform on AWS and by the local stack, because they carry the WebSocket URL.
 */
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const frontendDir = fileURLToPath(new URL('../frontend/', import.meta.url));

/** Where the built page goes; Terraform uploads this folder and the local stack serves it. */
export const frontendDistDir: string = `${frontendDir}dist`;

/** What `buildFrontend` produced. */
export interface FrontendBuild {
  /** The output folder. */
  readonly outDir: string;
  /** The files in it, relative to `outDir`, sorted. */
  readonly files: readonly string[];
}

/**
 * Bundles `frontend/src/main.ts` and `frontend/src/styles.css` (minified, for the browsers the
 * page supports) and copies `frontend/static/` next to them, into an emptied `frontend/dist`.
 *
 * The script is an ES module split at its dynamic imports: what only sign-in needs (the OpenID
 * Connect client, about 60 KB) is a chunk of its own (`chunk-<hash>.js`), which the page loads
 * when `config.js` asks for sign-in, so the open chat never downloads it.
 */
export async function buildFrontend(): Promise<FrontendBuild> {
  // Start empty so a file deleted from the source is not uploaded again from a stale dist.
  await rm(frontendDistDir, { recursive: true, force: true });
  await mkdir(frontendDistDir, { recursive: true });

  await build({
    entryPoints: [
      { in: `${frontendDir}src/main.ts`, out: 'app' },
      { in: `${frontendDir}src/styles.css`, out: 'app' },
    ],
    outdir: frontendDistDir,
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    // No source maps: they would be uploaded next to the bundle and add nothing for users.
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  await cp(`${frontendDir}static`, frontendDistDir, { recursive: true });

  const files = (await readdir(frontendDistDir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) =>
      `${entry.parentPath}/${entry.name}`.slice(frontendDistDir.length + 1).replaceAll('\\', '/'),
    )
    .sort();
  return { outDir: frontendDistDir, files };
}
