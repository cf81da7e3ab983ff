/* Charts fit their box at any width. A legend that wraps onto many rows adds its height to the chart instead of
   squashing the plot; on a phone (below 768 px) a chart leaves its title to the panel's heading just above it, so the
   plot keeps the width. The map is left as drawn: its legend is a colour bar beside it. */
(function () {
  var narrow = window.matchMedia("(max-width: 767.98px)");
  var fitted = new WeakSet(); // layouts already fitted: Dash sends a new layout object with every new figure

  function fit(gd) {
    if (!window.Plotly || !gd._fullLayout || gd.id === "map-graph" || fitted.has(gd.layout)) { return; }
    fitted.add(gd.layout);
    var full = gd._fullLayout;
    var update = {};
    if (narrow.matches && full.title && full.title.text) {
      update["title.text"] = "";
      update["margin.t"] = 50; // room for event labels above the plot
      if (full.xaxis && full.xaxis.type === "category") {
        update["xaxis.tickangle"] = -45; // periods' names read at an angle rather than cut off under the legend
      }
    }
    var legend = full.legend && full.legend._height ? full.legend._height : 0;
    if (full.showlegend && legend > 40 && full._size.h < 0.55 * full.height) {
      update.height = full.height + legend;
    }
    if (Object.keys(update).length) { window.Plotly.relayout(gd, update); }
  }

  function watch(gd) {
    if (gd.dataset.fitWatched) { return; }
    gd.dataset.fitWatched = "1";
    gd.on("plotly_afterplot", function () { fit(gd); });
    fit(gd);
  }

  var scheduled = false; // a chart draws many nodes at once: look for new charts once a frame, not once a node
  new MutationObserver(function () {
    if (scheduled) { return; }
    scheduled = true;
    window.requestAnimationFrame(function () {
      scheduled = false;
      document.querySelectorAll(".js-plotly-plot").forEach(function (gd) { if (gd.on) { watch(gd); } });
    });
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
