/**
 * The browser client served at /client.js: EventSource with lossless resume (the position is kept
 * per tab in sessionStorage and sent as ?last= on a fresh page load; EventSource sends
 * Last-Event-ID itself on its own reconnects), gap handling, reopening after a refused connection,
 * and a presence heartbeat with a per-tab connection id and a sendBeacon leave.
 */
export const CLIENT_SCRIPT = `// edgekit realtime client. Usage:
// const live = edgekit.subscribe(["public:news", "user:ana"], { post(data, meta) {}, inbox(data) {} },
//   { onGap(channels) { /* refetch state */ } });
// const here = edgekit.presence("doc-42", { info: { name: "Ana" }, onBeat(reply) {} });
(function (root) {
  "use strict";
  var store = root.sessionStorage;
  function remembered(key) { try { return store.getItem(key); } catch (e) { return null; } }
  function remember(key, value) { try { store.setItem(key, value); } catch (e) {} }
  function subscribe(channels, handlers, options) {
    options = options || {};
    var key = "edgekit:last:" + channels.join(","), last = remembered(key), source = null, closed = false, delay = 1000;
    function url() {
      var query = channels.map(function (c) { return "channel=" + encodeURIComponent(c); });
      if (last) query.push("last=" + encodeURIComponent(last));
      return (options.url || "/api/events") + "?" + query.join("&");
    }
    function seen(event) { if (event.lastEventId) { last = event.lastEventId; remember(key, last); } }
    function open() {
      source = new EventSource(url());
      source.addEventListener("ready", function (e) { delay = 1000; seen(e); });
      source.addEventListener("gap", function (e) { seen(e); if (options.onGap) options.onGap(JSON.parse(e.data).channels); });
      Object.keys(handlers).forEach(function (name) {
        source.addEventListener(name, function (e) {
          seen(e);
          var m = JSON.parse(e.data);
          handlers[name](m.data, { channel: m.channel, id: m.id, event: name });
        });
      });
      source.onerror = function () {
        // A refused or failed connection closes EventSource for good: reopen with backoff.
        if (source.readyState === 2 && !closed) { setTimeout(open, delay); delay = Math.min(delay * 2, 30000); }
        if (options.onError) options.onError();
      };
    }
    open();
    return { close: function () { closed = true; source.close(); } };
  }
  function presence(room, options) {
    options = options || {};
    var key = "edgekit:conn", conn = remembered(key);
    if (!conn) { conn = Math.random().toString(36).slice(2, 12); remember(key, conn); }
    var url = (options.url || "/api/presence/") + encodeURIComponent(room);
    function beat() {
      fetch(url, { method: "POST", headers: { "content-type": "application/json" }, credentials: "same-origin",
        body: JSON.stringify({ connection: conn, info: options.info }) })
        .then(function (r) { return r.json(); }).then(function (reply) { if (options.onBeat) options.onBeat(reply); })
        .catch(function () {});
    }
    function leave() {
      navigator.sendBeacon(url + "/leave", new Blob([JSON.stringify({ connection: conn })], { type: "application/json" }));
    }
    beat();
    var timer = setInterval(beat, options.intervalMs || 15000);
    root.addEventListener("pagehide", leave);
    return { leave: function () { clearInterval(timer); root.removeEventListener("pagehide", leave); leave(); } };
  }
  root.edgekit = { subscribe: subscribe, presence: presence };
})(window);
`;
