/* Deflect search, beacons: analytics events sent to the collector (config.collector). */
export function createBeacons(config) {
  function send(event) {
    if (!config.collector) return;
    event.lang = event.lang || config.lang;
    event.page = location.pathname;
    try {
      navigator.sendBeacon(config.collector.replace(/\/$/, "") + "/api/events",
        new Blob([JSON.stringify(event)], { type: "text/plain;charset=UTF-8" }));
    } catch (e) { /* analytics must never break the page */ }
  }
  return {
    send: send,
    // A search: the query, how many results it found and the result opened (null: none yet).
    search: (query, count, clicked) => query && send({ type: "search", query: query, results: count, clicked: clicked || null }),
  };
}
