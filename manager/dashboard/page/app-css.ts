// The dashboard's style sheet: system fonts only (nothing fetched), task colours by state.

export const APP_CSS = `:root {
  color-scheme: light;
  --bg: #f6f7f9;
  --fg: #1d232b;
  --muted: #66707c;
  --line: #d8dde3;
  --card: #ffffff;
  --accent: #0b6bcb;
}
* { box-sizing: border-box; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--fg);
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
header {
  display: flex;
  align-items: baseline;
  gap: 1rem;
  padding: 0.6rem 1.2rem;
  background: #12324f;
  color: #fff;
}
header h1 { margin: 0; font-size: 1.3rem; letter-spacing: 0.04em; }
#summary { color: #c9d6e3; }
main { padding: 0.5rem 1.2rem 2rem; }
section {
  background: var(--card);
  border: 1px solid var(--line);
  border-radius: 6px;
  margin: 0.8rem 0;
  padding: 0.4rem 0.9rem 0.8rem;
}
h2 { font-size: 1rem; margin: 0.4rem 0 0.5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.3rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 0.85rem; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85rem; }
.hint { color: var(--muted); font-size: 0.85rem; margin: 0.4rem 0 0; }
.warning { color: #9a5b00; }
.conn { border-radius: 999px; padding: 0.05rem 0.6rem; font-size: 0.8rem; }
.conn-live { background: #1f8a4c; }
.conn-connecting, .conn-reconnecting { background: #9a5b00; }
#services tbody tr { cursor: pointer; }
#services tbody tr:hover { background: #eef4fb; }
#services tbody tr.selected { background: #dceafa; }
.leader { color: #b7791f; font-weight: 600; }
.node-ready { color: #1f8a4c; }
.node-down, .node-disconnected { color: #c0392b; }
.node-unknown { color: var(--muted); }
.avail-drain, .avail-pause { color: #9a5b00; }
.replicas-short { color: #c0392b; font-weight: 600; }
.grid-wrap { overflow-x: auto; }
#grid th.node-col { min-width: 9rem; }
#grid th .sub { display: block; font-weight: normal; font-size: 0.75rem; }
#grid td.svc { font-weight: 600; white-space: nowrap; }
#grid td.cell { min-width: 9rem; }
.task {
  display: inline-block;
  margin: 0.12rem;
  padding: 0.1rem 0.45rem;
  border-radius: 4px;
  color: #fff;
  font-size: 0.8rem;
  white-space: nowrap;
}
.task.stopping { opacity: 0.55; }
.state-new, .state-allocated, .state-pending, .state-assigned { background: #8a96a3; }
.state-accepted, .state-preparing, .state-ready, .state-starting { background: #d28b16; }
.state-running { background: #1f8a4c; }
.state-complete { background: #2d6cdf; }
.state-shutdown { background: #5b6470; }
.state-failed, .state-rejected, .state-orphaned, .state-remove { background: #c0392b; }
.legend { margin-top: 0.5rem; color: var(--muted); font-size: 0.8rem; }
.legend .task { font-size: 0.75rem; }
#events { margin: 0; padding-left: 0; list-style: none; max-height: 22rem; overflow-y: auto; }
#events li { padding: 0.12rem 0; }
#events .time { color: var(--muted); margin-right: 0.5rem; }
#events .kind { font-weight: 600; margin-right: 0.5rem; }
`;
