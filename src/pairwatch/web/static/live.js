// Live header values. The page marks an element with data-live-ids="iwm,vix" and the
// fields to update with data-live-value / -change / -asof / -badge="ID". Updates arrive
// as server-sent events from /api/v1/live/stream; when EventSource is missing or keeps
// failing, /api/v1/live is polled every 60 s instead. Without this script the page shows
// the values it was rendered with.
(function () {
  "use strict";

  var STREAM_URL = "/api/v1/live/stream";
  var SNAPSHOT_URL = "/api/v1/live";
  var POLL_MS = 60000;
  var MAX_FAILURES = 3;
  var TONES = ["up", "down", "flat", "na"];

  var root = document.querySelector("[data-live-ids]");
  if (!root) {
    return;
  }
  var ids = root
    .getAttribute("data-live-ids")
    .split(",")
    .map(function (id) { return id.trim().toLowerCase(); })
    .filter(function (id) { return id.length > 0; });
  if (ids.length === 0) {
    return;
  }
  var query = "?ids=" + encodeURIComponent(ids.join(","));
  var state = { mode: "idle", updates: 0, source: null, timer: null };

  function fields(attribute, id) {
    var found = document.querySelectorAll("[" + attribute + "]");
    return Array.prototype.filter.call(found, function (el) {
      return el.getAttribute(attribute) === id;
    });
  }

  function setText(attribute, id, text) {
    fields(attribute, id).forEach(function (el) {
      if (el.textContent !== text) {
        el.textContent = text;
      }
    });
  }

  function setChange(id, entry) {
    fields("data-live-change", id).forEach(function (el) {
      el.textContent = entry.change_text;
      TONES.forEach(function (tone) { el.classList.remove(tone); });
      el.classList.add(entry.tone);
    });
  }

  function setBadge(id, entry) {
    fields("data-live-badge", id).forEach(function (el) {
      el.textContent = entry.badge;
      el.className = "badge " + entry.badge_kind;
      el.setAttribute("data-market-state", entry.market_state || "");
      el.title = entry.market_state ? "market " + entry.market_state : "";
    });
  }

  function apply(payload) {
    if (!payload || !payload.metrics) {
      return;
    }
    Object.keys(payload.metrics).forEach(function (id) {
      var entry = payload.metrics[id];
      setText("data-live-value", id, entry.value_text);
      setChange(id, entry);
      setText("data-live-asof", id, entry.as_of_text);
      setBadge(id, entry);
    });
    state.updates += 1;
    root.setAttribute("data-live-updated", payload.generated_at || "");
    document.dispatchEvent(new CustomEvent("pairwatch:live", { detail: payload }));
  }

  function poll() {
    if (document.hidden) {
      return;
    }
    fetch(SNAPSHOT_URL + query, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(apply)
      .catch(function () {
        // Offline or server down: try again at the next tick.
      });
  }

  function startPolling() {
    if (state.timer !== null) {
      return;
    }
    state.mode = "polling";
    root.setAttribute("data-live-mode", state.mode);
    poll();
    state.timer = window.setInterval(poll, POLL_MS);
  }

  function connect() {
    if (typeof window.EventSource !== "function") {
      startPolling();
      return;
    }
    var failures = 0;
    var source = new EventSource(STREAM_URL + query);
    state.source = source;
    state.mode = "stream";
    root.setAttribute("data-live-mode", state.mode);
    source.addEventListener("quote", function (event) {
      apply(JSON.parse(event.data));
    });
    source.onopen = function () {
      failures = 0;
    };
    source.onerror = function () {
      // The browser reconnects by itself (readyState CONNECTING); give up on the stream
      // when it closed for good or keeps failing, and poll instead.
      failures += 1;
      if (source.readyState === EventSource.CLOSED || failures >= MAX_FAILURES) {
        source.close();
        state.source = null;
        startPolling();
      }
    };
  }

  window.pairwatchLive = {
    apply: apply,
    state: function () { return { mode: state.mode, updates: state.updates }; },
  };
  connect();
})();
