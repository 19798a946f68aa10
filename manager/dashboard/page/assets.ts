// What the dashboard serves besides its API: the page, its script and its style, by path.

import { APP_CSS } from './app-css.js';
import { APP_JS } from './app-js.js';
import { INDEX_HTML } from './index-html.js';

export interface Asset {
  readonly contentType: string;
  readonly body: string;
}

/** A small fish-school mark, so browsers do not ask for a favicon that is not there. */
const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">' +
  '<rect width="16" height="16" rx="3" fill="#12324f"/>' +
  '<circle cx="5" cy="6" r="1.6" fill="#1f8a4c"/><circle cx="10" cy="5" r="1.6" fill="#1f8a4c"/>' +
  '<circle cx="8" cy="10" r="1.6" fill="#d28b16"/><circle cx="12" cy="11" r="1.6" fill="#1f8a4c"/></svg>';

export const DASHBOARD_ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['/', { contentType: 'text/html; charset=utf-8', body: INDEX_HTML }],
  ['/index.html', { contentType: 'text/html; charset=utf-8', body: INDEX_HTML }],
  ['/app.js', { contentType: 'text/javascript; charset=utf-8', body: APP_JS }],
  ['/app.css', { contentType: 'text/css; charset=utf-8', body: APP_CSS }],
  ['/favicon.svg', { contentType: 'image/svg+xml', body: ICON_SVG }],
  ['/favicon.ico', { contentType: 'image/svg+xml', body: ICON_SVG }],
]);
