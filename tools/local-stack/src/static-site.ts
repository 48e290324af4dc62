/**
 * The local stand-in for the S3 website: serves `frontend/dist`, with `config.js` and
 * `index.html` rendered from the same templates Terraform renders on AWS.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename, join, resolve, sep } from 'node:path';
import contentTypes from '../../../frontend/content-types.json' with { type: 'json' };
import { pathExists } from '../../../scripts/lib/fs.ts';
import { closeServer, listen } from './listen.ts';
import { renderTemplate } from './templates.ts';

/** What the site needs to know. */
export interface StaticSiteOptions {
  readonly host: string;
  readonly port: number;
  /** The built page (`frontend/dist`). */
  readonly distDir: string;
  /**
   * Folder holding `config.js.tftpl` and (optionally) `index.html.tftpl` with its
   * `content-security-policy.tftpl`.
   */
  readonly templateDir: string;
  readonly websocketUrl: string;
  readonly maxMessageLength: number;
  /** With sign-in: the OpenID Connect issuer and the page's client id, for `config.js`. */
  readonly auth?: { readonly issuer: string; readonly clientId: string } | undefined;
}

/** A running site. */
export interface StaticSite {
  readonly port: number;
  stop(): Promise<void>;
}

/** File extension (lower case, no dot) -> content type; Terraform uploads with the same map. */
const CONTENT_TYPES: Readonly<Record<string, string>> = contentTypes;

/** Served when the frontend provides no `index.html.tftpl` and no built `index.html`. */
const FALLBACK_INDEX = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AWSome Chat</title>
<script src="config.js"></script></head>
<body><p>The chat page is not built yet: run <code>npm run build</code>.</p></body></html>
`;

/**
 * Renders the two templates once and starts serving.
 *
 * @throws PortInUseError when the port is taken; TemplateError for a broken template.
 */
export async function startStaticSite(options: StaticSiteOptions): Promise<StaticSite> {
  const rendered = new Map<string, Buffer>([
    ['/config.js', Buffer.from(await renderConfigJs(options))],
    ['/index.html', Buffer.from(await renderIndexHtml(options))],
  ]);
  const root = resolve(options.distDir);
  const server = createServer((request, response) => {
    serve(request, response, root, rendered).catch(() => {
      if (!response.headersSent) response.writeHead(500).end('Internal error');
      else response.destroy();
    });
  });
  const port = await listen(server, options.host, options.port, '--http-port');
  return { port, stop: () => closeServer(server) };
}

async function renderConfigJs(options: StaticSiteOptions): Promise<string> {
  const template = await readFile(join(options.templateDir, 'config.js.tftpl'), 'utf8');
  return renderTemplate(template, {
    config: {
      websocketUrl: options.websocketUrl,
      maxMessageLength: options.maxMessageLength,
      // Left out without sign-in, as Terraform leaves it out in the `none` mode.
      ...(options.auth !== undefined && {
        auth: { mode: 'oidc', issuer: options.auth.issuer, clientId: options.auth.clientId },
      }),
    },
  });
}

async function renderIndexHtml(options: StaticSiteOptions): Promise<string> {
  const templatePath = join(options.templateDir, 'index.html.tftpl');
  if (await pathExists(templatePath)) {
    return renderTemplate(await readFile(templatePath, 'utf8'), {
      content_security_policy: await renderContentSecurityPolicy(options),
    });
  }
  const built = join(options.distDir, 'index.html');
  return (await pathExists(built)) ? readFile(built, 'utf8') : FALLBACK_INDEX;
}

/**
 * The policy index.html's meta tag carries, from the template CloudFront's header is rendered from
 * too (terraform/website.tf); trimmed as Terraform's trimspace() does.
 */
async function renderContentSecurityPolicy(options: StaticSiteOptions): Promise<string> {
  const template = await readFile(
    join(options.templateDir, 'content-security-policy.tftpl'),
    'utf8',
  );
  return renderTemplate(template, {
    // The WebSocket URL and, with sign-in, the issuer's origin, which the page's OIDC client reaches
    // for discovery, its keys and the token endpoint.
    connect_sources: [
      options.websocketUrl,
      ...(options.auth ? [new URL(options.auth.issuer).origin] : []),
    ].join(' '),
  }).trim();
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  root: string,
  rendered: ReadonlyMap<string, Buffer>,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  let path: string;
  try {
    path = decodeURIComponent(new URL(request.url ?? '/', 'http://local').pathname);
  } catch {
    response.writeHead(400).end();
    return;
  }
  if (path.endsWith('/')) path += 'index.html';
  const body = rendered.get(path) ?? (await readSiteFile(root, path));
  if (body === undefined) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
    return;
  }
  response.writeHead(200, {
    'content-type': contentTypeOf(path),
    'content-length': body.length,
    // Every restart may render a different config.js; never let the browser keep an old one.
    'cache-control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** As Terraform's upload does: the text after the name's last dot, lower-cased, else binary. */
function contentTypeOf(path: string): string {
  const extension = basename(path).split('.').pop()?.toLowerCase() ?? '';
  // Own keys only: a file named `x.constructor` is not Object.prototype's.
  return Object.hasOwn(CONTENT_TYPES, extension)
    ? (CONTENT_TYPES[extension] as string)
    : 'application/octet-stream';
}

async function readSiteFile(root: string, path: string): Promise<Buffer | undefined> {
  const file = resolve(root, `.${path}`);
  // Stay inside the site folder whatever `..` the request path holds.
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  try {
    if (!(await stat(file)).isFile()) return undefined;
    return await readFile(file);
  } catch {
    return undefined;
  }
}
