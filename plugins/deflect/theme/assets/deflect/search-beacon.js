/* Deflect search, beacons: analytics events (a query and its result count, a clicked result, the
 * contact page's suggestions) sent to the collector's /api/events, when the site names one. */

// `config`: the page's search configuration ({collector, lang}); no collector, nothing is sent.
export function createBeacons(config) {
  function send(event) {
    if (!config.collector) return;
    event.lang = event.lang || config.lang;
    event.page = location.pathname;
    try {
      if (navigator.sendBeacon) navigator.sendBeacon(config.collector.replace(/\/$/, "") + "/api/events",
        new Blob([JSON.stringify(event)], { type: "text/plain;charset=UTF-8" }));
    } catch (e) { /* analytics must never break the page */ }
  }

  // A search: the query, how many results it found and the result opened (null: none yet).
  function search(query, count, clicked) {
    if (!query) return;
    send({ type: "search", query: query, results: count, clicked: clicked || null });
  }

  return { send: send, search: search };
}
