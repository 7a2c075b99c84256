/**
 * Redoc's script for GET /docs/redoc.standalone.js (functions/api/docs-page.ts): found at load, read on
 * first use; deployed from the gzip the build made (unzipped only for callers without gzip), locally from
 * the installed package (compressed on first use).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCS_SCRIPT_GZIP_FILE, docsScript, locateDocsScript } from '../../functions/api/docs-page.ts';

const dir = mkdtempSync(join(tmpdir(), 'docs-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('locateDocsScript', () => {
  it('takes the gzip beside the bundle when it is there', () => {
    const gzipPath = join(dir, DOCS_SCRIPT_GZIP_FILE);
    writeFileSync(gzipPath, gzipSync('beside'));
    expect(locateDocsScript(pathToFileURL(gzipPath))).toEqual({ gzipPath });
  });

  it("falls back to the installed package's plain file", () => {
    const source = locateDocsScript(pathToFileURL(join(dir, 'missing', DOCS_SCRIPT_GZIP_FILE)));
    expect(source).toEqual({ textPath: expect.stringMatching(/redoc\/bundles\/redoc\.standalone\.js$/) });
  });
});

describe('docsScript', () => {
  it('serves the shipped gzip as it is and unzips it once for plain callers', () => {
    const gzipPath = join(dir, 'shipped.js.gz');
    const shipped = gzipSync('window.Redoc = {};', { level: 9 });
    writeFileSync(gzipPath, shipped);
    const script = docsScript({ gzipPath });
    expect(script.gzip().equals(shipped)).toBe(true);
    expect(script.text()).toBe('window.Redoc = {};');
    // Kept: a changed file is not read again.
    writeFileSync(gzipPath, gzipSync('changed'));
    expect(script.text()).toBe('window.Redoc = {};');
    expect(script.gzip().equals(shipped)).toBe(true);
  });

  it('reads the plain file on first use and compresses it once', () => {
    const textPath = join(dir, 'plain.js');
    const script = docsScript({ textPath });
    // Nothing is read before the first request: the file may appear later.
    writeFileSync(textPath, 'window.Redoc = 1;');
    const gzip = script.gzip();
    expect(gunzipSync(gzip).toString('utf8')).toBe('window.Redoc = 1;');
    writeFileSync(textPath, 'changed');
    expect(script.text()).toBe('window.Redoc = 1;');
    expect(script.gzip()).toBe(gzip);
  });
});
