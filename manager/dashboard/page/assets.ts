// What the dashboard serves besides its API: the page, its script and its style, by path.

import { APP_CSS } from './app-css.js';
import { APP_JS } from './app-js.js';
import { INDEX_HTML } from './index-html.js';

export interface Asset {
  readonly contentType: string;
  readonly body: string;
}

export const DASHBOARD_ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['/', { contentType: 'text/html; charset=utf-8', body: INDEX_HTML }],
  ['/index.html', { contentType: 'text/html; charset=utf-8', body: INDEX_HTML }],
  ['/app.js', { contentType: 'text/javascript; charset=utf-8', body: APP_JS }],
  ['/app.css', { contentType: 'text/css; charset=utf-8', body: APP_CSS }],
]);
