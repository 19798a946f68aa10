// The page's script and markup: valid JavaScript, nothing loaded from elsewhere, and no data
// ever inserted as markup.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Script } from 'node:vm';
import { APP_JS } from '../page/app-js.js';
import { DASHBOARD_ASSETS } from '../page/assets.js';
import { INDEX_HTML } from '../page/index-html.js';
import { APP_CSS } from '../page/app-css.js';
import { CONTENT_SECURITY_POLICY } from '../server.js';

test('the page script parses as a script', () => {
  assert.doesNotThrow(() => new Script(APP_JS, { filename: 'app.js' }));
});

test('the page script never inserts markup', () => {
  for (const sink of [
    'innerHTML',
    'outerHTML',
    'insertAdjacentHTML',
    'document.write',
    'eval(',
    'new Function',
  ]) {
    assert.equal(APP_JS.includes(sink), false, `app.js uses ${sink}`);
  }
});

test('nothing is fetched from another origin: no URL with a scheme or protocol-relative', () => {
  for (const [path, asset] of DASHBOARD_ASSETS) {
    // An XML namespace is a name, not something fetched.
    assert.doesNotMatch(
      asset.body.replaceAll('xmlns="http://www.w3.org/2000/svg"', ''),
      /(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}\//i,
      `${path} names another origin`,
    );
  }
  assert.doesNotMatch(APP_CSS, /@import|url\(/, 'the style sheet loads nothing');
  assert.doesNotMatch(INDEX_HTML, /<script>|style=/, 'no inline script or style (the CSP forbids them)');
  assert.match(CONTENT_SECURITY_POLICY, /^default-src 'self';/);
});
