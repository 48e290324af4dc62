/**
 * The chat page as Terraform deploys it with sign-in, served from loopback for the sign-in tests:
 * `index.html`, its CSP and `config.js` rendered from the templates with an `auth` key, the rest
 * from the built `frontend/dist`. (The local stack's static site renders them without sign-in
 * until `npm start -- --auth` comes; the document must come from a real loopback server, since
 * Chromium lets only such a page fetch from the loopback issuer.)
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { frontendDistDir } from '../../../scripts/build-frontend.ts';
import { renderTemplate } from '../../../tools/local-stack/src/templates.ts';
import contentTypes from '../../content-types.json' with { type: 'json' };

const frontendDir = fileURLToPath(new URL('../../', import.meta.url));

/** What the page is configured with. */
export interface SignedInSiteOptions {
  readonly websocketUrl: string;
  readonly issuer: string;
  readonly clientId: string;
}

/** A running site. */
export interface SignedInSite {
  /** The page, e.g. `http://127.0.0.1:41234/`: the issuer's redirect URI. */
  readonly pageUrl: string;
  /** Configures the page (the issuer is known only once the site's address is). */
  configure(options: SignedInSiteOptions): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the site on a free loopback port; it serves the page once configured. */
export async function startSignedInSite(): Promise<SignedInSite> {
  const rendered = new Map<string, string>();
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://site').pathname;
    const page = rendered.get(path === '/' ? '/index.html' : path);
    const type = (name: string): string =>
      (contentTypes as Record<string, string>)[extname(name).slice(1)] ??
      'application/octet-stream';
    if (page !== undefined) {
      response.writeHead(200, { 'content-type': type(path === '/' ? 'index.html' : path) });
      response.end(page);
      return;
    }
    const file = normalize(join(frontendDistDir, path));
    if (!file.startsWith(frontendDistDir)) {
      response.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => response.writeHead(200, { 'content-type': type(file) }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const template = (name: string): Promise<string> => readFile(`${frontendDir}${name}`, 'utf8');

  return {
    pageUrl,
    async configure({ websocketUrl, issuer, clientId }) {
      // As Terraform will: the issuer's origin joins the WebSocket URL in connect-src.
      const policy = renderTemplate(await template('content-security-policy.tftpl'), {
        connect_sources: `${websocketUrl} ${new URL(issuer).origin}`,
      }).trim();
      rendered.set(
        '/index.html',
        renderTemplate(await template('index.html.tftpl'), { content_security_policy: policy }),
      );
      rendered.set(
        '/config.js',
        renderTemplate(await template('config.js.tftpl'), {
          config: {
            websocketUrl,
            maxMessageLength: contract.limits.maxMessageLength,
            auth: { mode: 'oidc', issuer, clientId },
          },
        }),
      );
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
