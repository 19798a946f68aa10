// The dashboard's one page. Its script and style are separate files of the same origin, so the
// Content-Security-Policy can forbid every inline script and style.

export const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>shoal dashboard</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/app.css" />
    <script src="/app.js" defer></script>
  </head>
  <body>
    <header>
      <h1>shoal</h1>
      <span id="conn" class="conn conn-connecting">connecting</span>
      <span id="summary"></span>
    </header>
    <main>
      <section>
        <h2>Nodes</h2>
        <table id="nodes">
          <thead>
            <tr><th>Hostname</th><th>Role</th><th>State</th><th>Availability</th><th>Manager status</th><th>Address</th></tr>
          </thead>
          <tbody></tbody>
        </table>
      </section>
      <section>
        <h2>Services</h2>
        <table id="services">
          <thead>
            <tr><th>Name</th><th>Mode</th><th>Replicas</th><th>Image</th><th>Ports</th></tr>
          </thead>
          <tbody></tbody>
        </table>
        <p class="hint">Select a service to see its recent events.</p>
      </section>
      <section>
        <h2>Tasks by node</h2>
        <p id="truncated" class="warning" hidden>The cluster has more tasks than the dashboard shows.</p>
        <div class="grid-wrap"><table id="grid"></table></div>
        <div id="legend" class="legend"></div>
      </section>
      <section id="events-section" hidden>
        <h2>Recent events of <span id="events-title"></span></h2>
        <ul id="events"></ul>
      </section>
    </main>
  </body>
</html>
`;
