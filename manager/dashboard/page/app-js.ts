// The dashboard page's script: plain browser JavaScript (no framework, nothing fetched but this
// origin's API), kept as a string so the build ships it in dist with the rest. It must not
// contain a backtick or a dollar-brace (test/page-script.test.ts parses it as a script).

export const APP_JS = String.raw`'use strict';
// The dashboard page: reads /api/state, then follows /api/events (Server-Sent Events) and
// applies each delta. Every string from the cluster goes into the page as text
// (textContent), never as markup.
(function () {
  var STATES = ['new', 'pending', 'assigned', 'preparing', 'starting', 'running', 'complete', 'shutdown', 'failed'];
  var MAX_EVENTS = 50;
  var view = { index: 0, nodes: new Map(), services: new Map(), tasks: new Map(), truncated: false };
  var selected = null;
  var events = [];
  var pending = null;
  var generation = 0;
  var source = null;
  var renderTimer = null;

  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function setConn(state) {
    var c = $('conn');
    c.className = 'conn conn-' + state;
    c.textContent = state;
    document.body.setAttribute('data-conn', state);
  }

  function toMap(list) {
    var m = new Map();
    list.forEach(function (x) {
      m.set(x.id, x);
    });
    return m;
  }

  function connect() {
    setConn('connecting');
    source = new EventSource('/api/events');
    source.addEventListener('hello', function () {
      // A new stream (first or after a reconnect): read the whole state again.
      pending = [];
      loadState();
    });
    source.addEventListener('delta', function (m) {
      var d = JSON.parse(m.data);
      if (pending !== null) pending.push(d);
      else applyDelta(d);
    });
    source.addEventListener('resync', function () {
      pending = [];
      loadState();
    });
    source.onerror = function () {
      setConn('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        // Refused (e.g. too many streams): the browser will not retry by itself.
        source = null;
        setTimeout(connect, 3000);
      }
    };
  }

  function loadState() {
    var mine = ++generation;
    fetch('/api/state', { cache: 'no-store' })
      .then(function (r) {
        if (!r.ok) throw new Error('state: HTTP ' + r.status);
        return r.json();
      })
      .then(function (s) {
        if (mine !== generation) return;
        view = {
          index: s.index,
          nodes: toMap(s.nodes),
          services: toMap(s.services),
          tasks: toMap(s.tasks),
          truncated: s.truncated,
        };
        var buffered = pending || [];
        pending = null;
        buffered.forEach(function (d) {
          if (d.index > s.index) applyDelta(d);
        });
        setConn('live');
        if (selected !== null) loadEvents(selected);
        scheduleRender();
      })
      .catch(function () {
        if (mine !== generation) return;
        setConn('reconnecting');
        setTimeout(loadState, 2000);
      });
  }

  function applyDelta(d) {
    d.nodes.forEach(function (n) {
      view.nodes.set(n.id, n);
    });
    d.removedNodes.forEach(function (id) {
      view.nodes.delete(id);
    });
    d.services.forEach(function (s) {
      view.services.set(s.id, s);
    });
    d.removedServices.forEach(function (id) {
      view.services.delete(id);
      if (selected === id) select(null);
    });
    d.tasks.forEach(function (t) {
      view.tasks.set(t.id, t);
    });
    d.removedTasks.forEach(function (id) {
      view.tasks.delete(id);
    });
    d.events.forEach(function (e) {
      if (e.serviceId === selected) events.push(e);
    });
    if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
    if (d.index > view.index) view.index = d.index;
    scheduleRender();
  }

  function select(id) {
    selected = id;
    events = [];
    if (id !== null) loadEvents(id);
    scheduleRender();
  }

  function loadEvents(id) {
    fetch('/api/services/' + encodeURIComponent(id) + '/events', { cache: 'no-store' })
      .then(function (r) {
        return r.ok ? r.json() : { events: [] };
      })
      .then(function (body) {
        if (selected !== id) return;
        events = body.events.slice(-MAX_EVENTS);
        scheduleRender();
      })
      .catch(function () {
        // The stream's next events still arrive; the history shows on the next selection.
      });
  }

  function scheduleRender() {
    if (renderTimer !== null) return;
    renderTimer = setTimeout(function () {
      renderTimer = null;
      render();
    }, 30);
  }

  function sortedNodes() {
    return Array.from(view.nodes.values()).sort(function (a, b) {
      if (a.role !== b.role) return a.role === 'manager' ? -1 : 1;
      return a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0;
    });
  }

  function sortedServices() {
    return Array.from(view.services.values()).sort(function (a, b) {
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    });
  }

  function managerStatus(n) {
    if (n.role !== 'manager') return '';
    if (n.leader) return 'Leader';
    return n.reachability === 'reachable' ? 'Reachable' : n.reachability || '';
  }

  function render() {
    var nodes = sortedNodes();
    var services = sortedServices();
    renderSummary(nodes, services);
    renderNodes(nodes);
    renderServices(services);
    renderGrid(nodes, services);
    renderEvents();
  }

  function count(n, what) {
    return n + ' ' + what + (n === 1 ? '' : 's');
  }

  function renderSummary(nodes, services) {
    $('summary').textContent =
      count(nodes.length, 'node') + ', ' + count(services.length, 'service') + ', ' + count(view.tasks.size, 'task') + ' (index ' + view.index + ')';
    $('truncated').hidden = !view.truncated;
  }

  function renderNodes(nodes) {
    var body = $('nodes').tBodies[0];
    clear(body);
    nodes.forEach(function (n) {
      var tr = el('tr');
      tr.setAttribute('data-node', n.id);
      var host = el('td', 'mono', n.hostname);
      tr.appendChild(host);
      tr.appendChild(el('td', null, n.role));
      tr.appendChild(el('td', 'node-' + n.state, n.state));
      tr.appendChild(el('td', 'avail-' + n.availability, n.availability));
      var ms = el('td', n.leader ? 'leader' : null, managerStatus(n));
      if (n.leader) ms.textContent = '\u2605 Leader';
      tr.appendChild(ms);
      tr.appendChild(el('td', 'mono', n.addr));
      body.appendChild(tr);
    });
  }

  function renderServices(services) {
    var body = $('services').tBodies[0];
    clear(body);
    services.forEach(function (s) {
      var tr = el('tr', s.id === selected ? 'selected' : null);
      tr.setAttribute('data-service', s.id);
      tr.appendChild(el('td', null, s.name));
      tr.appendChild(el('td', null, s.mode + (s.updateState ? ' (' + s.updateState + ')' : '')));
      tr.appendChild(el('td', s.running < s.desired ? 'replicas-short' : null, s.running + '/' + s.desired));
      tr.appendChild(el('td', 'mono', s.image));
      tr.appendChild(el('td', 'mono', s.ports.join(', ')));
      tr.addEventListener('click', function () {
        select(selected === s.id ? null : s.id);
      });
      body.appendChild(tr);
    });
  }

  function taskChip(t, service) {
    var chip = el('span', 'task state-' + t.state + (t.desiredState !== 'running' && t.desiredState !== 'complete' ? ' stopping' : ''));
    chip.textContent = service.name + (t.slot > 0 ? '.' + t.slot : '');
    chip.title = t.state + (t.desiredState !== t.state ? ' (desired ' + t.desiredState + ')' : '') + (t.error ? ': ' + t.error : t.message ? ': ' + t.message : '');
    chip.setAttribute('data-task', t.id);
    chip.setAttribute('data-state', t.state);
    chip.setAttribute('data-service', t.serviceId);
    chip.setAttribute('data-node', t.nodeId || '');
    return chip;
  }

  function renderGrid(nodes, services) {
    var grid = $('grid');
    clear(grid);
    var cells = new Map();
    var unassigned = false;
    view.tasks.forEach(function (t) {
      var key = t.serviceId + ' ' + (t.nodeId || '');
      if (!t.nodeId) unassigned = true;
      var list = cells.get(key);
      if (!list) cells.set(key, (list = []));
      list.push(t);
    });
    var columns = nodes.map(function (n) {
      return { id: n.id, title: n.hostname, sub: n.role + (n.leader ? ' \u2605' : '') + ', ' + n.state };
    });
    if (unassigned) columns.push({ id: '', title: 'not scheduled', sub: 'pending' });
    var head = el('tr');
    head.appendChild(el('th', null, 'Service'));
    columns.forEach(function (c) {
      var th = el('th', 'node-col', c.title);
      th.appendChild(el('span', 'sub', c.sub));
      head.appendChild(th);
    });
    var thead = el('thead');
    thead.appendChild(head);
    grid.appendChild(thead);
    var body = el('tbody');
    services.forEach(function (s) {
      var tr = el('tr');
      tr.setAttribute('data-service', s.id);
      tr.appendChild(el('td', 'svc', s.name));
      columns.forEach(function (c) {
        var td = el('td', 'cell');
        td.setAttribute('data-node', c.id);
        (cells.get(s.id + ' ' + c.id) || [])
          .sort(function (a, b) {
            return a.slot - b.slot;
          })
          .forEach(function (t) {
            td.appendChild(taskChip(t, s));
          });
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    grid.appendChild(body);
  }

  function renderLegend() {
    var legend = $('legend');
    clear(legend);
    legend.appendChild(document.createTextNode('Task states: '));
    STATES.forEach(function (s) {
      legend.appendChild(el('span', 'task state-' + s, s));
    });
  }

  function renderEvents() {
    var section = $('events-section');
    var s = selected === null ? undefined : view.services.get(selected);
    section.hidden = s === undefined;
    if (s === undefined) return;
    $('events-title').textContent = s.name;
    var list = $('events');
    clear(list);
    events
      .slice()
      .reverse()
      .forEach(function (e) {
        var li = el('li');
        var t = new Date(e.time);
        li.appendChild(el('span', 'time', isNaN(t.getTime()) ? e.time : t.toLocaleTimeString()));
        li.appendChild(el('span', 'kind', e.kind));
        var node = e.nodeId ? view.nodes.get(e.nodeId) : undefined;
        li.appendChild(el('span', null, e.message + (node ? ' on ' + node.hostname : '')));
        list.appendChild(li);
      });
  }

  document.addEventListener('DOMContentLoaded', function () {
    renderLegend();
    connect();
  });
})();
`;
