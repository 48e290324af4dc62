/**
 * The local static site serves each file with the content type Terraform uploads it with (both
 * read frontend/content-types.json), and index.html with the policy of
 * frontend/content-security-policy.tftpl, which Terraform also renders into CloudFront's header.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import contentTypes from '../../../../frontend/content-types.json' with { type: 'json' };
import { type StaticSite, startStaticSite } from '../../src/static-site.ts';

const TEMPLATE_DIR = fileURLToPath(new URL('../../../../frontend/', import.meta.url));

let distDir: string;
let site: StaticSite;

beforeAll(async () => {
  distDir = await mkdtemp(join(tmpdir(), 'static-site-'));
  // One file per extension in the shared map, one in upper case, one without an extension.
  const names = Object.keys(contentTypes).map((extension) => `file.${extension}`);
  const protoNames = ['file.constructor', 'file.__proto__', 'file.tostring'];
  for (const name of [...names, 'PHOTO.WEBP', 'LICENSE', ...protoNames]) {
    await writeFile(join(distDir, name), '');
  }
  site = await startStaticSite({
    host: '127.0.0.1',
    port: 0,
    distDir,
    templateDir: TEMPLATE_DIR,
    websocketUrl: 'ws://127.0.0.1:1/prod',
    maxMessageLength: 2000,
  });
});

afterAll(async () => {
  await site?.stop();
  if (distDir !== undefined) await rm(distDir, { recursive: true, force: true });
});

async function contentTypeOf(path: string): Promise<string | null> {
  const response = await fetch(`http://127.0.0.1:${site.port}/${path}`);
  expect(response.status).toBe(200);
  return response.headers.get('content-type');
}

describe('static site content types', () => {
  it.each(Object.entries(contentTypes))('serves .%s as %s', async (extension, type) => {
    expect(await contentTypeOf(`file.${extension}`)).toBe(type);
  });

  it('matches the extension case-insensitively, as the Terraform upload does', async () => {
    expect(await contentTypeOf('PHOTO.WEBP')).toBe('image/webp');
  });

  it('serves a file without a known extension as application/octet-stream', async () => {
    expect(await contentTypeOf('LICENSE')).toBe('application/octet-stream');
  });

  it.each(['file.constructor', 'file.__proto__', 'file.tostring'])(
    'serves %s as application/octet-stream: extensions are names, not Object.prototype members',
    async (name) => {
      expect(await contentTypeOf(name)).toBe('application/octet-stream');
    },
  );
});

describe('static site index.html', () => {
  it('carries the shared Content-Security-Policy with the WebSocket URL in its meta tag', async () => {
    // Prepare
    const template = await readFile(join(TEMPLATE_DIR, 'content-security-policy.tftpl'), 'utf8');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Terraform template's placeholder
    const policy = template.trim().replace('${connect_sources}', 'ws://127.0.0.1:1/prod');
    // Act
    const html = await (await fetch(`http://127.0.0.1:${site.port}/`)).text();
    // Assess
    expect(policy).toContain('connect-src ws://127.0.0.1:1/prod;');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${policy}">`);
  });
});
