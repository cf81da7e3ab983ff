/* Meeting mode: one slide a screen; arrows, space, Page Up/Down, Home, End and Esc, or the buttons. */
(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  if (!slides.length) { return; }
  var figures = JSON.parse(document.getElementById("meeting-figures").textContent);
  var position = document.getElementById("meeting-position");
  var exit = document.getElementById("meeting-exit");
  var current = 0;

  // The figures' type is set for 1080p: scaled with the screen, never below 14px (at 720p) so it stays readable.
  function scaleNow() {
    return Math.max(0.7, Math.min(1.5, window.innerHeight / 1080, window.innerWidth / 1920));
  }

  // A copy of the figure with every font size, the margins and the bars' least text size times s.
  function scaled(value, s, key) {
    if (Array.isArray(value)) { return value.map(function (item) { return scaled(item, s, key); }); }
    if (value === null || typeof value !== "object") { return value; }
    var copy = {};
    Object.keys(value).forEach(function (name) {
      var item = value[name];
      var sized = (/font$/.test(key) && name === "size") || key === "margin" || (key === "uniformtext" && name === "minsize");
      if (sized && typeof item === "number") { copy[name] = item * s; }
      else if (sized && Array.isArray(item)) { copy[name] = item.map(function (n) { return typeof n === "number" ? n * s : n; }); }
      else { copy[name] = scaled(item, s, name); }
    });
    return copy;
  }

  var charts = Array.prototype.slice.call(document.querySelectorAll(".slide__chart"));

  function draw(holder) {
    var s = scaleNow();
    var figure = scaled(figures[holder.dataset.chart], s, "");
    holder.dataset.scale = String(s);
    return window.Plotly.react(holder, figure.data, figure.layout, {
      displayModeBar: false, responsive: true, topojsonURL: "/assets/topojson/"
    });
  }

  // Fits the shown slide's charts to their frames, redrawing one whose type was set for another screen size.
  function fit(slide) {
    slide.querySelectorAll(".slide__chart").forEach(function (holder) {
      if (holder.dataset.scale !== String(scaleNow())) { draw(holder); return; }
      var resized = window.Plotly.Plots.resize(holder);
      if (resized && resized.catch) { resized.catch(function () {}); }  // a chart hidden meanwhile is fitted when shown
    });
  }

  // Every chart is drawn once, at open, so a slide change only shows what is already drawn. The slides share one
  // grid cell, so a slide shown for its drawing has its real size.
  charts.forEach(function (holder) {
    var slide = holder.closest(".slide");
    slide.hidden = false;
    draw(holder);
    if (slide !== slides[0]) { slide.hidden = true; }
  });

  function show(index) {
    index = Math.max(0, Math.min(slides.length - 1, index));
    if (index === current) { return; }
    slides[current].hidden = true;
    slides[index].hidden = false;
    current = index;
    fit(slides[index]);
    var heading = slides[index].querySelector(".slide__heading");
    position.textContent = "Slide " + (index + 1) + " of " + slides.length + ": " + heading.textContent;
    document.getElementById("meeting-previous").disabled = index === 0;
    document.getElementById("meeting-next").disabled = index === slides.length - 1;
  }

  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; fit(slides[current]); });
  });

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
