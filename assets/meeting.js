/* Meeting mode: one slide a screen; arrows, space, Page Up/Down, Home, End and Esc, or the buttons. */
(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  if (!slides.length) { return; }
  var figures = JSON.parse(document.getElementById("meeting-figures").textContent);
  var position = document.getElementById("meeting-position");
  var exit = document.getElementById("meeting-exit");
  var current = 0;

  // Every chart is drawn once, at open, so a slide change only shows what is already drawn.
  document.querySelectorAll(".slide__chart").forEach(function (holder) {
    var figure = figures[holder.dataset.chart];
    var slide = holder.closest(".slide");
    slide.hidden = false;  // drawn at its real size, then put away
    window.Plotly.newPlot(holder, figure.data, figure.layout, {displayModeBar: false, responsive: true, topojsonURL: "/assets/topojson/"});
    if (slide !== slides[0]) { slide.hidden = true; }
  });

  function show(index) {
    index = Math.max(0, Math.min(slides.length - 1, index));
    if (index === current) { return; }
    slides[current].hidden = true;
    slides[index].hidden = false;
    current = index;
    var heading = slides[index].querySelector(".slide__heading");
    position.textContent = "Slide " + (index + 1) + " of " + slides.length + ": " + heading.textContent;
    document.getElementById("meeting-previous").disabled = index === 0;
    document.getElementById("meeting-next").disabled = index === slides.length - 1;
  }

  document.getElementById("meeting-previous").addEventListener("click", function () { show(current - 1); });
  document.getElementById("meeting-next").addEventListener("click", function () { show(current + 1); });
  document.getElementById("meeting-previous").disabled = true;
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var onControl = event.target.closest && event.target.closest("button, a");
    switch (event.key) {
      case "ArrowRight": case "PageDown": show(current + 1); break;
      case "ArrowLeft": case "PageUp": show(current - 1); break;
      case " ":
        if (onControl) { return; }  // space on a button presses it
        show(event.shiftKey ? current - 1 : current + 1); break;
      case "Home": show(0); break;
      case "End": show(slides.length - 1); break;
      case "Escape": window.location.href = exit.href; break;
      default: return;
    }
    event.preventDefault();
  });
})();
