'use strict';
// The app's plotly.js: its core (with scatter, the trend lines) and the traces the app draws, bar charts and the
// map's choropleth and scattergeo. A third of the full bundle's size, so a cold page is ready sooner (docs/performance.md).
var Plotly = require('plotly.js/lib/core');

Plotly.register([require('plotly.js/lib/bar'), require('plotly.js/lib/choropleth'), require('plotly.js/lib/scattergeo')]);

module.exports = Plotly;
